import { spawn } from 'node:child_process';
import { BatonError } from '../src/observability/errors.ts';
import { hostGitEnv } from '../src/repo-cache/host-git.ts';

export interface ObjectReaderOptions {
  gitDir: string;
  hostEnv: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

/**
 * Git plumbing over a repository the host controls (the quarantine of a run's commits). Only
 * commands that read objects as stored run here (rev-list, diff-tree --raw, cat-file without
 * --filters): none of them consults attributes, textconv, external diff drivers or replace refs,
 * so nothing the work wrote can change what is read.
 */
export interface ObjectReader {
  git(args: readonly string[], input?: string): Promise<string>;
  /** Sizes in bytes of the given blobs. */
  sizes(ids: readonly string[]): Promise<Map<string, number>>;
  /** The raw bytes of the given blobs. */
  read(ids: readonly string[]): Promise<Map<string, Buffer>>;
}

function run(options: ObjectReaderOptions, args: readonly string[], input?: string): Promise<Buffer> {
  const env = {
    ...hostGitEnv(options.hostEnv),
    GIT_DIR: options.gitDir,
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_ATTR_NOSYSTEM: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'core.attributesFile=/dev/null', ...args], {
      env,
      signal: options.signal,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      reject(
        new BatonError({
          code: 'secret_scan_git_failed',
          message: `git ${args[0] ?? ''} could not run: ${error.message}`,
          cause: error,
        }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new BatonError({
            code: 'secret_scan_git_failed',
            message: `git ${args[0] ?? ''} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim().slice(-300)}`,
            retryable: true,
          }),
        );
    });
    if (child.stdin) {
      // git may exit before it read everything (an error); the exit code tells, not the pipe.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

/** Parses `cat-file --batch` output: `<id> <type> <size>\n<bytes>\n` per object. */
function parseBatch(output: Buffer): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  let offset = 0;
  while (offset < output.length) {
    const newline = output.indexOf(0x0a, offset);
    if (newline < 0) break;
    const [id = '', type = '', sizeText = '0'] = output.subarray(offset, newline).toString('utf8').split(' ');
    offset = newline + 1;
    if (type === 'missing') continue;
    const size = Number(sizeText);
    objects.set(id, output.subarray(offset, offset + size));
    offset += size + 1;
  }
  return objects;
}

export function createObjectReader(options: ObjectReaderOptions): ObjectReader {
  return {
    git: async (args, input?: string) => (await run(options, args, input)).toString('utf8'),
    async sizes(ids) {
      const sizes = new Map<string, number>();
      if (ids.length === 0) return sizes;
      const output = await run(options, ['cat-file', '--batch-check'], `${ids.join('\n')}\n`);
      for (const line of output.toString('utf8').split('\n')) {
        const [id = '', type = '', size = ''] = line.split(' ');
        if (type === 'blob') sizes.set(id, Number(size));
      }
      return sizes;
    },
    async read(ids) {
      if (ids.length === 0) return new Map();
      return parseBatch(await run(options, ['cat-file', '--batch'], `${ids.join('\n')}\n`));
    },
  };
}
