import type { EnvironmentReport, EnvironmentRequest } from './environment/types.ts';

/** Where a repository comes from. The host fetches it (with its own credentials); the sandbox never does. */
export interface RepoSource {
  /** `owner/name` or a short local name; used for the mirror's directory. */
  name: string;
  /** A local path or a URL. For an https URL the host adds credentials; they never reach the workspace. */
  url: string;
  /** Extra headers or auth for the host's fetch (e.g. a GitHub token). Not stored in the workspace. */
  auth?: { username: string; password: string };
}

export interface SandboxLimits {
  /** Default wall-clock limit of one command. */
  commandTimeoutMs: number;
  memoryMb: number;
  /** Bytes of stdout+stderr kept in the result; the rest is saved to a file in the workspace. */
  outputCapBytes: number;
  /** `registries`: only the package registries of the setup allowlist, through the host's egress proxy. */
  network: 'off' | 'registries' | 'on';
  /** Host environment variables copied into the sandbox. */
  envAllowlist: readonly string[];
  /** Cloud sandboxes only: how long the sandbox may live. */
  lifetimeMs?: number;
}

export interface SandboxCreateOptions {
  repo: RepoSource;
  /** The commit-ish the workspace starts from, e.g. `main`. */
  baseRef: string;
  /** The branch the workspace is on, e.g. `baton/abc123`. Created from baseRef if it does not exist. */
  branch: string;
  limits: SandboxLimits;
  signal?: AbortSignal;
  /** Who the sandbox works for. A cloud provider labels its sandbox with these and finds it again by them. */
  labels?: { thread: string; turn: string };
  /**
   * The turn's latest checkpoint (a diff against the start commit). A cloud sandbox that is lost
   * mid-turn is recreated once from it, as a resumed turn is.
   */
  lastCheckpoint?: () => Promise<{ baseCommit: string; patch: string } | null>;
}

export interface ExecRequest {
  /** A shell command line, run with `sh -c` in the workspace. */
  cmd: string;
  /** Relative to the workspace root. */
  cwd?: string;
  timeoutMs?: number;
  /** Extra variables for this command (merged over the allowlisted environment). */
  env?: Record<string, string>;
  stdin?: string;
  signal?: AbortSignal;
  /** Live output as it arrives (stdout and stderr, in chunks), e.g. an install's progress. */
  onOutput?: (chunk: string) => void;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** True when stdout or stderr passed the output cap and was cut. */
  truncated: boolean;
  /** Workspace-relative path of the full output when it was cut. */
  fullOutputPath?: string;
}

/** The work of a run, ready for the host to push: a git bundle of `base..branch`. */
export interface ChangeExport {
  /** Host path of a git bundle that holds the branch's new commits (absent when there are none). */
  bundlePath?: string;
  branch: string;
  baseCommit: string;
  headCommit: string;
  /** Commits on the branch since baseCommit. */
  commitCount: number;
}

export interface Sandbox {
  /**
   * The repository's dependencies, installed by its own package manager in a setup phase (network:
   * the setup allowlist only) or restored from the environment cache. Call it before any command.
   */
  prepareEnvironment?(request: EnvironmentRequest): Promise<EnvironmentReport>;
  /** Installs again when a file the environment key depends on changed since; null when none did. */
  refreshEnvironment?(request: EnvironmentRequest): Promise<EnvironmentReport | null>;
  readonly id: string;
  /** The workspace root as commands see it (e.g. `/workspace`). */
  readonly workdir: string;
  exec(request: ExecRequest): Promise<ExecResult>;
  /** Paths are workspace-relative; a path that escapes the workspace is refused. */
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<void>;
  exportChanges(): Promise<ChangeExport>;
  pause?(): Promise<void>;
  resume?(): Promise<void>;
  dispose(): Promise<void>;
}

export interface ReconcileReport {
  /** Sandboxes left running by a turn that has ended (e.g. its worker was killed). */
  orphans: number;
  /** Paused sandboxes whose keep time ran out. */
  expired: number;
}

export interface SandboxProvider {
  readonly kind: 'local' | 'e2b';
  create(options: SandboxCreateOptions): Promise<Sandbox>;
  /** At worker start: removes what earlier processes left behind (cloud sandboxes). */
  reconcile?(): Promise<ReconcileReport>;
}
