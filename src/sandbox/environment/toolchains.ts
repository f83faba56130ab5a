import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface ToolchainProbe {
  /** Whether `name` is an executable in one of the sandbox's PATH directories. */
  hasCommand(name: string): boolean;
  /** `name --version` for each tool, run once per process; `absent` when it is not installed. */
  versions(names: readonly string[]): Promise<Record<string, string>>;
}

/**
 * The toolchains the sandbox sees are the host's system ones (mounted read-only), so their versions
 * are read on the host, with the sandbox's PATH. They are part of the environment key: a new Node or
 * Python on the host means new native modules and a new environment.
 */
export function createToolchainProbe(options: {
  pathDirectories: readonly string[];
  /**
   * A file remembering versions by binary (real path, size, mtime), so a new process starting from
   * the cache does not spawn `npm --version` (most of a second) before it can compute the key.
   */
  cacheFile?: string;
}): ToolchainProbe {
  const cache = new Map<string, Promise<string>>();
  const remembered = (() => {
    try {
      return JSON.parse(readFileSync(options.cacheFile ?? '', 'utf8')) as Record<string, string>;
    } catch {
      return {} as Record<string, string>;
    }
  })();
  const identity = (binary: string) => {
    try {
      const real = realpathSync(binary);
      const info = statSync(real);
      return `${real}:${info.size}:${info.mtimeMs}`;
    } catch {
      return undefined;
    }
  };
  const remember = (id: string, value: string) => {
    if (!options.cacheFile) return;
    remembered[id] = value;
    try {
      mkdirSync(dirname(options.cacheFile), { recursive: true });
      writeFileSync(options.cacheFile, JSON.stringify(remembered));
    } catch {
      // Only a speed-up: the next process asks the binary again.
    }
  };
  const find = (name: string) =>
    options.pathDirectories
      .map((directory) => join(directory, name))
      .find((candidate) => {
        try {
          accessSync(candidate, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
  const version = (name: string): Promise<string> => {
    const binary = find(name);
    if (!binary) return Promise.resolve('absent');
    const id = identity(binary);
    const known = id ? remembered[id] : undefined;
    if (known) return Promise.resolve(known);
    return new Promise<string>((resolve) => {
      execFile(
        binary,
        ['--version'],
        { timeout: 15_000, env: { PATH: options.pathDirectories.join(':'), HOME: '/nonexistent' } },
        (error, stdout, stderr) => {
          const text = `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
          resolve(error && !text ? 'unknown' : text);
        },
      );
    }).then((value) => {
      if (id && value !== 'unknown') remember(id, value);
      return value;
    });
  };
  return {
    hasCommand: (name) => find(name) !== undefined,
    async versions(names) {
      const result: Record<string, string> = {};
      for (const name of names) {
        let pending = cache.get(name);
        if (!pending) {
          pending = version(name);
          cache.set(name, pending);
        }
        result[name] = await pending;
      }
      return result;
    },
  };
}
