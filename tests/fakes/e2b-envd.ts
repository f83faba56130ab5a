import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, posix } from 'node:path';
import { resolveSandboxPath } from './e2b-paths.ts';
import { type E2BUser, spawnInSandbox } from './e2b-sandbox-process.ts';
import type { E2BRecord, FakeProcess, FakeSandbox } from './e2b-state.ts';

/*
 * envd as the SDK speaks to it: the Connect protocol in its JSON form (unary calls as
 * application/json, server streams as application/connect+json with 5-byte envelopes), plus the
 * plain HTTP file endpoint /files. The proto services are spec/envd/{process,filesystem}/*.proto.
 */

type Json = Record<string, unknown>;

class ConnectFailure extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_argument' | 'permission_denied' | 'unauthenticated' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

const HTTP_STATUS: Record<ConnectFailure['code'], number> = {
  not_found: 404,
  invalid_argument: 400,
  permission_denied: 403,
  unauthenticated: 401,
  internal: 500,
};

function envelope(flags: number, message: Json): Buffer {
  const body = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function unwrapEnvelope(body: Buffer): Json {
  if (body.length < 5) throw new ConnectFailure('invalid_argument', 'missing envelope');
  return JSON.parse(body.subarray(5, 5 + body.readUInt32BE(1)).toString('utf8')) as Json;
}

/** The user a request runs as: envd takes it from Basic auth (`user:`), else the default user. */
function userOf(request: IncomingMessage, query?: URLSearchParams): E2BUser {
  const named = query?.get('username');
  if (named === 'root' || named === 'user') return named;
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const name = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0];
    if (name === 'root') return 'root';
  }
  return 'user';
}

const homeOf = (user: E2BUser) => (user === 'root' ? '/root' : '/home/user');

async function entryInfo(root: string, insidePath: string, user: E2BUser): Promise<Json> {
  const { host } = resolveSandboxPath(root, insidePath, homeOf(user));
  const info = await stat(host).catch(() => {
    throw new ConnectFailure('not_found', `path ${insidePath} does not exist`);
  });
  return {
    name: posix.basename(insidePath),
    type: info.isDirectory() ? 'FILE_TYPE_DIRECTORY' : 'FILE_TYPE_FILE',
    path: insidePath,
    size: String(info.size),
    mode: info.mode & 0o7777,
    permissions: (info.mode & 0o777).toString(8),
    owner: user,
    group: user,
    modifiedTime: info.mtime.toISOString(),
  };
}

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
    const home = homeOf(user);
    const resolve = (path: unknown) => {
      if (typeof path !== 'string' || !path) throw new ConnectFailure('invalid_argument', 'path is required');
      return resolveSandboxPath(sandbox.root, path, home);
    };
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
      case 'filesystem.Filesystem/Stat':
        return { entry: await entryInfo(sandbox.root, resolve(body.path).inside, user) };
      case 'filesystem.Filesystem/MakeDir': {
        const target = resolve(body.path);
        if (target.readOnly) throw new ConnectFailure('permission_denied', `${target.inside} is read-only`);
        await mkdir(target.host, { recursive: true });
        return { entry: await entryInfo(sandbox.root, target.inside, user) };
      }
      case 'filesystem.Filesystem/ListDir': {
        const target = resolve(body.path);
        const names = await readdir(target.host).catch(() => {
          throw new ConnectFailure('not_found', `directory ${target.inside} does not exist`);
        });
        return {
          entries: await Promise.all(
            names.map((name) => entryInfo(sandbox.root, posix.join(target.inside, name), user)),
          ),
        };
      }
      case 'filesystem.Filesystem/Remove': {
        const target = resolve(body.path);
        if (target.readOnly) throw new ConnectFailure('permission_denied', `${target.inside} is read-only`);
        await rm(target.host, { recursive: true, force: true });
        return {};
      }
      case 'filesystem.Filesystem/Move': {
        const source = resolve(body.source);
        const destination = resolve(body.destination);
        if (source.readOnly || destination.readOnly)
          throw new ConnectFailure('permission_denied', 'read-only path');
        await rename(source.host, destination.host);
        return { entry: await entryInfo(sandbox.root, destination.inside, user) };
      }
      default:
        throw new ConnectFailure('not_found', `no method ${method}`);
    }
  };

  const files = async (
    sandbox: FakeSandbox,
    request: IncomingMessage,
    body: Buffer,
    url: URL,
    response: ServerResponse,
  ) => {
    const user = userOf(request, url.searchParams);
    const home = homeOf(user);
    const fail = (status: number, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: status, message }));
      return status;
    };
    if (request.method === 'GET') {
      const path = url.searchParams.get('path');
      if (!path) return fail(400, 'path is required');
      const target = resolveSandboxPath(sandbox.root, path, home);
      const content = await readFile(target.host).catch(() => undefined);
      if (!content) return fail(404, `file ${target.inside} not found`);
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': content.length,
      });
      response.end(content);
      return 200;
    }
    const written: { path: string; content: Buffer }[] = [];
    const type = request.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://envd/files', {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      }).formData();
      for (const value of form.getAll('file')) {
        if (typeof value === 'string') continue;
        written.push({
          path: url.searchParams.get('path') ?? value.name,
          content: Buffer.from(await value.arrayBuffer()),
        });
      }
    } else {
      const path = url.searchParams.get('path');
      if (!path) return fail(400, 'path is required');
      written.push({ path, content: body });
    }
    const entries: Json[] = [];
    for (const file of written) {
      const target = resolveSandboxPath(sandbox.root, file.path, home);
      if (target.readOnly) return fail(403, `${target.inside} is read-only`);
      await mkdir(dirname(target.host), { recursive: true });
      await writeFile(target.host, file.content);
      options.record.uploads.push({
        sandboxId: sandbox.sandboxID,
        path: target.inside,
        bytes: file.content.length,
        head: file.content.subarray(0, 20).toString('latin1'),
      });
      entries.push({ name: posix.basename(target.inside), type: 'file', path: target.inside });
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(entries));
    return 200;
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
    if (url.pathname === '/files') return files(sandbox, request, body, url, response);
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
