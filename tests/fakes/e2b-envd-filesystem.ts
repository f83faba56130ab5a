import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, posix } from 'node:path';
import { ConnectFailure, homeOf, type Json, userOf } from './e2b-connect.ts';
import { resolveSandboxPath } from './e2b-paths.ts';
import type { E2BUser } from './e2b-sandbox-process.ts';
import type { E2BRecord, FakeSandbox } from './e2b-state.ts';

/* envd's filesystem service (spec/envd/filesystem/filesystem.proto) and its HTTP file endpoint. */

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

/** One unary call of filesystem.Filesystem. */
export async function filesystemCall(
  sandbox: FakeSandbox,
  method: string,
  body: Json,
  user: E2BUser,
): Promise<Json> {
  const resolve = (path: unknown) => {
    if (typeof path !== 'string' || !path) throw new ConnectFailure('invalid_argument', 'path is required');
    return resolveSandboxPath(sandbox.root, path, homeOf(user));
  };
  switch (method) {
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
}

/** GET and POST /files: download, and upload (multipart, or octet-stream for one file). */
export async function serveFiles(
  record: E2BRecord,
  sandbox: FakeSandbox,
  request: IncomingMessage,
  body: Buffer,
  url: URL,
  response: ServerResponse,
): Promise<number> {
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
    record.uploads.push({
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
}
