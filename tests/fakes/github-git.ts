import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const IDENTITY = [
  '-c',
  'user.name=Fake GitHub',
  '-c',
  'user.email=fake@github.test',
  '-c',
  'commit.gpgsign=false',
];
const CLEAN_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1' };

/** Runs git in a directory of the fake and returns stdout (throws on a non-zero exit). */
export function gitSync(cwd: string, args: readonly string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, env: CLEAN_ENV, encoding: 'utf8' }).trim();
}

/** The same, without blocking the server's event loop; resolves with the exit code too. */
export function gitAsync(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('git', [...IDENTITY, ...args], { cwd, env: CLEAN_ENV, encoding: 'utf8' }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: stdout.trim() });
    });
  });
}

/**
 * The pre-receive hook GitHub's protected branches and workflow rule behave like: a push to a
 * listed ref fails with GH006; a push touching `.github/workflows/` without the token's
 * `workflows` permission is refused as GitHub refuses it for Apps.
 */
const PRE_RECEIVE = `#!/bin/sh
zero=0000000000000000000000000000000000000000
status=0
while read old new ref; do
  if [ -f baton-protected ] && grep -qxF "$ref" baton-protected; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    status=1
    continue
  fi
  [ "$new" = "$zero" ] && continue
  if [ "$FAKE_GITHUB_WORKFLOWS" != "write" ]; then
    if [ "$old" = "$zero" ]; then range="$new --not --all"; else range="$old..$new"; fi
    for commit in $(git rev-list $range); do
      file=$(git diff-tree --no-commit-id --name-only -r --root "$commit" | grep '^\\.github/workflows/' | head -n 1)
      if [ -n "$file" ]; then
        echo "refusing to allow a GitHub App to create or update workflow \\\`$file\\\` without \\\`workflows\\\` permission" >&2
        status=1
        break
      fi
    done
  fi
done
exit $status
`;

/** A bare repository at `path` whose default branch holds `files` in one commit. */
export function createBareRepo(options: {
  path: string;
  files: Record<string, string>;
  defaultBranch: string;
}): void {
  const work = mkdtempSync(join(tmpdir(), 'fake-github-seed-'));
  try {
    gitSync(work, ['init', '-q', '-b', options.defaultBranch]);
    for (const [file, content] of Object.entries(options.files)) {
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, file), content);
    }
    gitSync(work, ['add', '-A']);
    gitSync(work, ['commit', '-q', '--allow-empty', '-m', 'Initial commit']);
    mkdirSync(dirname(options.path), { recursive: true });
    gitSync(tmpdir(), ['clone', '-q', '--bare', '--', work, options.path]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  gitSync(options.path, ['config', 'http.receivepack', 'true']);
  gitSync(options.path, ['remote', 'remove', 'origin']);
  const hook = join(options.path, 'hooks', 'pre-receive');
  writeFileSync(hook, PRE_RECEIVE);
  chmodSync(hook, 0o755);
}

/** Writes the refs the pre-receive hook refuses (one full ref per line). */
export function writeProtectedRefs(barePath: string, branches: Iterable<string>): void {
  writeFileSync(
    join(barePath, 'baton-protected'),
    [...branches].map((branch) => `refs/heads/${branch}\n`).join(''),
  );
}

/** Splits a CGI response into status, headers and body. */
function parseCgi(output: Buffer): { status: number; headers: [string, string][]; body: Buffer } {
  let end = output.indexOf('\r\n\r\n');
  let separator = 4;
  if (end < 0) {
    end = output.indexOf('\n\n');
    separator = 2;
  }
  if (end < 0) return { status: 502, headers: [], body: output };
  const headers: [string, string][] = [];
  let status = 200;
  for (const line of output.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers.push([name, value]);
  }
  return { status, headers, body: output.subarray(end + separator) };
}

/** Serves one smart-HTTP request with `git http-backend` as a CGI program. */
export function serveGitHttp(options: {
  request: IncomingMessage;
  response: ServerResponse;
  projectRoot: string;
  pathInfo: string;
  query: string;
  remoteUser: string;
  /** Extra variables for receive-pack's hooks (the token's workflows permission). */
  hookEnv: Record<string, string>;
}): Promise<number> {
  const { request, response } = options;
  const env: Record<string, string> = {
    ...CLEAN_ENV,
    ...options.hookEnv,
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: options.pathInfo,
    QUERY_STRING: options.query,
    REQUEST_METHOD: request.method ?? 'GET',
    REMOTE_USER: options.remoteUser,
    REMOTE_ADDR: '127.0.0.1',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
  };
  if (request.headers['content-length']) env.CONTENT_LENGTH = request.headers['content-length'];
  if (request.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = request.headers['content-encoding'];
  const protocol = request.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.stdin.on('error', () => undefined);
    request.pipe(child.stdin);
    child.on('close', () => {
      const parsed = parseCgi(Buffer.concat(chunks));
      if (parsed.status >= 500) parsed.body = Buffer.concat([parsed.body, ...errors]);
      response.writeHead(parsed.status, parsed.headers.flat());
      response.end(parsed.body);
      resolve(parsed.status);
    });
  });
}
