import type { ImportedWork, Middleware, PullRequestService } from '../../middleware/types.ts';
import type { Prompts } from '../agent/prompts.ts';
import type { Config, RepoConfig } from '../config/schema.ts';
import type { ModelClient } from '../model/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { KnownSecrets } from '../observability/redact.ts';
import type { ChangeExport, SandboxProvider } from '../sandbox/types.ts';
import type { Store } from '../store/types.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import type { Item } from './items.ts';

/** Takes a turn's exported commits to where people see them (a local repo's branch, or GitHub). */
export type Publisher = (input: {
  exported: ChangeExport;
  repo: RepoConfig;
  branch: string;
}) => Promise<{ location: string }>;

/** A branch as the remote has it: the pushed head and where people see it. */
export interface RemoteBranch {
  commit: string;
  location: string;
}

/** Reads the branch on the remote itself; null when the remote has no such branch. */
export type RemoteBranchReader = (input: {
  repo: RepoConfig;
  branch: string;
}) => Promise<RemoteBranch | null>;

/** Everything a turn needs, built once per process by the composition root. */
export interface TurnDependencies {
  config: Config;
  provider: SandboxProvider;
  model: ModelClient;
  registries: { main: ToolRegistry; explorer: ToolRegistry; writer: ToolRegistry };
  middlewares: readonly Middleware[];
  store: Store;
  prompts: Prompts;
  publish: Publisher;
  /** Takes exported commits into a host-side quarantine, apart from the mirror, for the secret scan. */
  quarantine: (input: {
    exported: ChangeExport;
    repo: RepoConfig;
    signal?: AbortSignal;
  }) => Promise<ImportedWork | null>;
  /** Every secret value Baton holds: masked in tool results, steps' text and everything posted. */
  secrets: KnownSecrets;
  /** What the remote has of a branch; the outcome is told from it, not from the steps' memory. */
  remoteBranch?: RemoteBranchReader;
  /** Credentials for the host's fetch of a repository (e.g. a fresh GitHub installation token). */
  repoAuthFor?: (repo: RepoConfig) => Promise<{ username: string; password: string } | undefined>;
  /** The pull request service for a repository on GitHub; absent or undefined for others. */
  pullRequestsFor?: (repo: RepoConfig) => PullRequestService | undefined;
  log: Logger;
  clock?: () => number;
  fetch?: typeof fetch;
  onItem?: (item: Item) => void;
}
