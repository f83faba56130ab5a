import { execFile } from 'node:child_process';
import { BatonError } from '../observability/errors.ts';
import type { RepoSource } from '../sandbox/types.ts';

/** Host variables git may need to reach a remote (proxies, CA bundles, ssh agent). Nothing else. */
const HOST_GIT_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
  'GIT_SSH_COMMAND',
  'SSH_AUTH_SOCK',
] as const;

export type HostEnv = Readonly<Record<string, string | undefined>>;
export type RepoAuth = NonNullable<RepoSource['auth']>;

/**
 * The environment of a host git command. Credentials travel as `http.extraHeader` through
 * GIT_CONFIG_* variables: never on the command line (visible in `ps`) and never in a config file.
 */
export function hostGitEnv(
  hostEnv: HostEnv,
  auth?: RepoAuth,
  safeDirectory?: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOST_GIT_VARIABLES) {
    const value = hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  // Host git handles trees the sandbox wrote: no system or user config (filters, hooks paths) applies.
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_ASKPASS = 'true';
  const settings: Array<[string, string]> = [];
  if (auth) {
    const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    settings.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  // A workspace owned by the sandbox's uid, touched by root git before any sandboxed command ran.
  if (safeDirectory) settings.push(['safe.directory', safeDirectory]);
  if (settings.length > 0) env.GIT_CONFIG_COUNT = String(settings.length);
  settings.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

/** A URL without user info, so no credential is ever stored in a remote's configuration. */
export function withoutCredentials(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

export interface HostGitOptions {
  cwd?: string;
  hostEnv: HostEnv;
  auth?: RepoAuth;
  /** Trust this repository although another uid owns it (git's `safe.directory`). */
  safeDirectory?: string;
  signal?: AbortSignal;
  /** Error code when git fails; defaults to `git_failed`. */
  code?: string;
  retryable?: boolean;
}

export interface GitOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs git on the host and returns its output whatever the exit code. */
export function tryHostGit(args: readonly string[], options: HostGitOptions): Promise<GitOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: hostGitEnv(options.hostEnv, options.auth, options.safeDirectory),
        signal: options.signal,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new BatonError({
              code: error.name === 'AbortError' ? 'sandbox_aborted' : 'git_unavailable',
              message: `git ${args[0] ?? ''} could not run: ${error.message}`,
              hint: error.name === 'AbortError' ? undefined : 'install git on the host',
              cause: error,
            }),
          );
          return;
        }
        resolve({ stdout, stderr, exitCode: error ? Number(error.code) : 0 });
      },
    );
  });
}

/** Runs git on the host; a non-zero exit becomes a BatonError carrying git's message. */
export async function hostGit(args: readonly string[], options: HostGitOptions): Promise<string> {
  const outcome = await tryHostGit(args, options);
  if (outcome.exitCode !== 0) {
    throw new BatonError({
      code: options.code ?? 'git_failed',
      message: `git ${args[0] ?? ''} failed: ${outcome.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${outcome.exitCode}`}`,
      retryable: options.retryable ?? false,
    });
  }
  return outcome.stdout;
}
