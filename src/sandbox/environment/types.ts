/** The package ecosystems whose registries a setup may need to reach. */
export type PackageEcosystem = 'npm' | 'pypi' | 'go' | 'cargo';

/** Where the setup commands came from. */
export type SetupSource = 'config' | 'script' | 'detected' | 'disabled' | 'none';

/**
 * What the setup phase will do for one workspace, decided from the files at its start commit.
 * Provider-neutral: the local and cloud providers run the same plan and compute the same key.
 */
export interface SetupPlan {
  source: SetupSource;
  /** Shell commands, run in order in the workspace root; the first failure stops the setup. */
  commands: string[];
  /** Workspace-relative files whose contents form the environment key (lockfiles, manifests, the script). */
  keyFiles: string[];
  ecosystems: PackageEcosystem[];
  /** Tools whose versions join the key (`node`, `npm`, `python3`, …). */
  toolchains: string[];
  /** One line for people: why these commands (or why none). */
  reason: string;
}

/** How a setup command ended when it failed: what the agent and the requester are told. */
export interface SetupFailure {
  command: string;
  exitCode: number;
  timedOut: boolean;
  /** The end of the command's output, secrets masked. */
  outputTail: string;
}

/** The environment of one run, as recorded in its `environment` item and shown to people. */
export interface EnvironmentReport {
  status: 'ready' | 'failed' | 'none';
  cached: boolean;
  /** Null when there is nothing to set up. */
  key: string | null;
  commands: string[];
  durationMs: number;
  /** Hosts the egress proxy refused during the setup, as `host:port`. */
  deniedHosts: string[];
  /** Why there was no setup, or where the commands came from. */
  reason: string;
  failure?: SetupFailure;
  /** Files where a setup secret was found after the setup, and what was done (names masked, never values). */
  scrubbed?: string[];
  /** Set when a setup secret could not be removed from the workspace: the agent must not start. */
  secretLeft?: string;
}

/** The environment item's payload (see runs/items.ts). */
export type EnvironmentItem = { type: 'environment' } & EnvironmentReport;

/** What a run asks of its sandbox's environment. */
export interface EnvironmentRequest {
  /** The repository's name: part of the key. */
  repo: string;
  /** `repos[].setup`: commands that replace detection, or false for none. */
  setup?: readonly string[] | false;
  /** `repos[].setupSecrets`: names of host variables only the setup phase receives. */
  setupSecrets?: readonly string[];
  /** Live progress for people (`environment: npm ci …`). */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}
