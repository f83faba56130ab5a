import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

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
export function createToolchainProbe(options: { pathDirectories: readonly string[] }): ToolchainProbe {
  const cache = new Map<string, Promise<string>>();
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
    return new Promise((resolve) => {
      execFile(
        binary,
        ['--version'],
        { timeout: 15_000, env: { PATH: options.pathDirectories.join(':'), HOME: '/nonexistent' } },
        (error, stdout, stderr) => {
          const text = `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
          resolve(error && !text ? 'unknown' : text);
        },
      );
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
