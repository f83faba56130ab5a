import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectFailure, envelope, HTTP_STATUS, type Json, unwrapEnvelope, userOf } from './e2b-connect.ts';
import { filesystemCall, serveFiles } from './e2b-envd-filesystem.ts';
import { type E2BUser, spawnInSandbox } from './e2b-sandbox-process.ts';
import type { E2BRecord, FakeProcess, FakeSandbox } from './e2b-state.ts';

/*
 * envd as the SDK speaks to it: the Connect protocol in its JSON form (unary calls as
 * application/json, server streams as application/connect+json with 5-byte envelopes), plus the
 * plain HTTP file endpoint /files. The proto services are spec/envd/{process,filesystem}/*.proto.
 */

export function createEnvd(options: { record: E2BRecord }) {
  let nextPid = 100;

  const startProcess = (sandbox: FakeSandbox, body: Json, user: E2BUser, response: ServerResponse) => {
    const config = (body.process ?? {}) as {
      cmd?: string;
      args?: string[];
      envs?: Record<string, string>;
      cwd?: string;
    };
    if (!config.cmd) throw new ConnectFailure('invalid_argument', 'process.cmd is required');
    const envs = { ...sandbox.envVars, ...(config.envs ?? {}) };
    options.record.processStarts.push({
      sandboxId: sandbox.sandboxID,
      cmd: config.cmd,
      args: config.args ?? [],
      envs,
      user,
    });
    const child = spawnInSandbox({
      root: sandbox.root,
      internet: sandbox.allowInternetAccess,
      user,
      cmd: config.cmd,
      args: config.args ?? [],
      cwd: config.cwd,
      envs,
    });
    const pid = nextPid++;
    const process: FakeProcess = {
      pid,
      child,
      cmd: config.cmd,
      args: config.args ?? [],
      envs,
      cwd: config.cwd,
      tag: typeof body.tag === 'string' ? body.tag : undefined,
      listeners: new Set(),
      cuts: new Set(),
    };
    sandbox.processes.set(pid, process);
    const emit = (event: Json) => {
      for (const listener of process.listeners) listener(event);
    };
    if (body.stdin !== true) child.stdin?.end();
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('data', (chunk: Buffer) => emit({ data: { stdout: chunk.toString('base64') } }));
    child.stderr?.on('data', (chunk: Buffer) => emit({ data: { stderr: chunk.toString('base64') } }));
    child.on('close', (code, signal) => {
      process.ended = signal
        ? { exitCode: -1, exited: false, status: `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` }
        : { exitCode: code ?? 0, exited: true, status: `exit status ${code ?? 0}` };
      emit({ end: process.ended });
      sandbox.processes.delete(pid);
    });
    follow(process, response);
  };

  const follow = (process: FakeProcess, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/connect+json' });
    const send = (event: Json) => {
      response.write(envelope(0, { event }));
      if ('end' in event) {
        process.listeners.delete(send);
        response.end(envelope(2, {}));
      }
    };
    send({ start: { pid: process.pid } });
    process.listeners.add(send);
    const cut = () => response.destroy();
    process.cuts.add(cut);
    response.on('close', () => {
      process.listeners.delete(send);
      process.cuts.delete(cut);
    });
  };

  const processFor = (sandbox: FakeSandbox, selector: unknown): FakeProcess => {
    const wanted = (selector ?? {}) as { pid?: number; tag?: string };
    const found = [...sandbox.processes.values()].find(
      (candidate) =>
        candidate.pid === wanted.pid || (wanted.tag !== undefined && candidate.tag === wanted.tag),
    );
    if (!found) throw new ConnectFailure('not_found', `process ${JSON.stringify(wanted)} not found`);
    return found;
  };

  const unary = async (sandbox: FakeSandbox, method: string, body: Json, user: E2BUser): Promise<Json> => {
    if (method.startsWith('filesystem.Filesystem/')) return filesystemCall(sandbox, method, body, user);
    switch (method) {
      case 'process.Process/List':
        return {
          processes: [...sandbox.processes.values()].map((entry) => ({
            pid: entry.pid,
            tag: entry.tag,
            config: { cmd: entry.cmd, args: entry.args, envs: entry.envs, cwd: entry.cwd },
          })),
        };
      case 'process.Process/SendSignal': {
        const target = processFor(sandbox, body.process);
        const signal = body.signal === 'SIGNAL_SIGTERM' || body.signal === 15 ? 'SIGTERM' : 'SIGKILL';
        if (target.child.pid) globalThis.process.kill(-target.child.pid, signal);
        return {};
      }
      case 'process.Process/SendInput': {
        const target = processFor(sandbox, body.process);
        const input = (body.input ?? {}) as { stdin?: string };
        if (input.stdin) target.child.stdin?.write(Buffer.from(input.stdin, 'base64'));
        return {};
      }
      case 'process.Process/CloseStdin':
        processFor(sandbox, body.process).child.stdin?.end();
        return {};
      default:
        throw new ConnectFailure('not_found', `no method ${method}`);
    }
  };

  /** Serves one envd request for a running sandbox; returns the HTTP status for the record. */
  async function handle(
    sandbox: FakeSandbox,
    request: IncomingMessage,
    body: Buffer,
    url: URL,
    response: ServerResponse,
  ): Promise<number> {
    if (url.pathname === '/health') {
      response.writeHead(204).end();
      return 204;
    }
    if (url.pathname === '/files') return serveFiles(options.record, sandbox, request, body, url, response);
    const method = url.pathname.slice(1);
    const streaming = (request.headers['content-type'] ?? '').startsWith('application/connect+json');
    try {
      if (method === 'process.Process/Start' || method === 'process.Process/Connect') {
        if (!streaming) throw new ConnectFailure('invalid_argument', `${method} is a server stream`);
        const message = unwrapEnvelope(body);
        if (method === 'process.Process/Start') startProcess(sandbox, message, userOf(request), response);
        else follow(processFor(sandbox, message.process), response);
        return 200;
      }
      const reply = await unary(
        sandbox,
        method,
        JSON.parse(body.toString('utf8') || '{}') as Json,
        userOf(request),
      );
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply));
      return 200;
    } catch (error) {
      const failure = error instanceof ConnectFailure ? error : new ConnectFailure('internal', String(error));
      if (streaming && !response.headersSent) {
        response.writeHead(200, { 'content-type': 'application/connect+json' });
        response.end(envelope(2, { error: { code: failure.code, message: failure.message } }));
        return 200;
      }
      if (!response.headersSent) {
        response.writeHead(HTTP_STATUS[failure.code], { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: failure.code, message: failure.message }));
      }
      return HTTP_STATUS[failure.code];
    }
  }

  return { handle };
}
