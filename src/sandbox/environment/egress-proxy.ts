import { lookup as dnsLookup } from 'node:dns/promises';
import { chmod, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../observability/logger.ts';
import { refusedAddressReason } from '../../tools/address-policy.ts';
import type { AllowedHost } from './registries.ts';

export type Lookup = (host: string) => Promise<{ address: string }[]>;

export interface EgressProxy {
  /** Host path of the unix socket the sandbox's forwarder connects to. */
  readonly socketPath: string;
  /** Every destination refused so far, `host:port`, in the order first refused. */
  deniedHosts(): string[];
  /** The same, each with why it was refused. */
  refusals(): { destination: string; reason: string }[];
  /** Requests let through (CONNECT tunnels and plain HTTP requests). */
  allowedCount(): number;
  close(): Promise<void>;
}

type Verdict = { allowed: true; address: string } | { allowed: false; reason: string };

function matches(entry: AllowedHost, host: string, port: number): boolean {
  const portOk = entry.port === undefined ? port === 80 || port === 443 : entry.port === port;
  if (!portOk) return false;
  if (entry.host.startsWith('*.')) return host.endsWith(entry.host.slice(1));
  return entry.host === host;
}

/**
 * Whether a destination may be reached, and at which address. The address is resolved here and the
 * connection goes to exactly that address, so a name cannot be re-pointed between check and use.
 * A private or loopback address is allowed only through an entry an operator listed.
 */
export async function judgeDestination(options: {
  host: string;
  port: number;
  allow: readonly AllowedHost[];
  lookup: Lookup;
}): Promise<Verdict> {
  const host = options.host.replace(/^\[|\]$/g, '').toLowerCase();
  const entries = options.allow.filter((entry) => matches(entry, host, options.port));
  if (entries.length === 0) return { allowed: false, reason: 'not on the setup allowlist' };
  let addresses: { address: string }[];
  try {
    addresses = isIP(host) ? [{ address: host }] : await options.lookup(host);
  } catch {
    return { allowed: false, reason: 'the name does not resolve' };
  }
  const listed = entries.some((entry) => entry.listed);
  for (const { address } of addresses) {
    const refused = refusedAddressReason(address);
    if (refused === null || listed) return { allowed: true, address };
  }
  return {
    allowed: false,
    reason: `it resolves to ${refusedAddressReason(addresses[0]?.address ?? '') ?? 'no address'}; list it in sandbox.setupAllowHosts to allow it`,
  };
}

function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!match?.[1]) return undefined;
  return { host: match[1], port: match[2] ? Number(match[2]) : defaultPort };
}

const HOP_BY_HOP = [
  'proxy-connection',
  'proxy-authorization',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
];

/**
 * The host side of the sandbox's network: an HTTP proxy on a unix socket. CONNECT opens a tunnel
 * (https), an absolute-URI request is forwarded (http); only allowlisted destinations get through,
 * and every refusal is remembered so the setup output and the environment item can name it.
 */
export async function createEgressProxy(options: {
  socketPath: string;
  allow: readonly AllowedHost[];
  lookup?: Lookup;
  log?: Logger;
}): Promise<EgressProxy> {
  const lookup: Lookup = options.lookup ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
  const denied: string[] = [];
  const reasons = new Map<string, string>();
  const open = new Set<Duplex>();
  let allowed = 0;
  const refuse = (destination: string, reason: string) => {
    if (!denied.includes(destination)) denied.push(destination);
    reasons.set(destination, reason);
    options.log?.warn({ destination, reason }, 'egress refused');
    return `Baton's egress proxy refused ${destination}: ${reason}.`;
  };
  const judge = (host: string, port: number) =>
    judgeDestination({ host, port, allow: options.allow, lookup });

  const onRequest = async (request: IncomingMessage, response: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(request.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      response
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('Baton egress proxy: absolute http:// URL expected\n');
      return;
    }
    const port = target.port ? Number(target.port) : 80;
    const destination = `${target.hostname}:${port}`;
    const verdict = await judge(target.hostname, port);
    if (!verdict.allowed) {
      response
        .writeHead(403, { 'content-type': 'text/plain' })
        .end(`${refuse(destination, verdict.reason)}\n`);
      return;
    }
    allowed += 1;
    const headers = { ...request.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = httpRequest(
      {
        host: verdict.address,
        port,
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers: { ...headers, host: target.host },
        setHost: false,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`Baton egress proxy: ${destination} failed: ${error.message}\n`);
    });
    request.pipe(upstream);
  };

  const onConnect = async (request: IncomingMessage, client: Duplex, head: Buffer) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    const parsed = splitHostPort(request.url ?? '', 443);
    if (!parsed) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const destination = `${parsed.host}:${parsed.port}`;
    const verdict = await judge(parsed.host, parsed.port);
    if (!verdict.allowed) {
      const body = `${refuse(destination, verdict.reason)}\n`;
      client.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    allowed += 1;
    const upstream: Socket = connect({ host: verdict.address, port: parsed.port });
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  };

  const server = createServer((request, response) => void onRequest(request, response));
  server.on(
    'connect',
    (request: IncomingMessage, client: Duplex, head: Buffer) => void onConnect(request, client, head),
  );
  await rm(options.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  // The sandbox may run as another uid; the socket is only reachable where it is bind-mounted.
  await chmod(options.socketPath, 0o666);

  return {
    socketPath: options.socketPath,
    deniedHosts: () => [...denied],
    refusals: () => denied.map((destination) => ({ destination, reason: reasons.get(destination) ?? '' })),
    allowedCount: () => allowed,
    async close() {
      for (const stream of open) stream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(options.socketPath, { force: true });
    },
  };
}
