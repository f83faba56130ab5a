import type { RepoConfig } from '../../config/schema.ts';
import { namedRepository } from './message-text.ts';

export type RepoResolution =
  /** `hint` is set when the message itself named the repository. */
  | { type: 'resolved'; repo: string; hint?: string }
  /** The message (or the channel mapping) names a repository Baton is not configured for. */
  | { type: 'unknown'; named: string; allowed: string[] }
  /** Several repositories could be meant: ask the requester. */
  | { type: 'ask'; allowed: string[] }
  /** No repository is configured at all. */
  | { type: 'none' };

const normalise = (name: string): string => name.toLowerCase().replace(/\.git$/, '');

function findConfigured(repos: readonly RepoConfig[], named: string): RepoConfig | undefined {
  const wanted = normalise(named);
  return (
    repos.find((repo) => normalise(repo.name) === wanted) ??
    // A GitHub URL names owner/name; a repo configured under a short name may still point at it.
    (wanted.includes('/')
      ? repos.find((repo) => normalise(repo.url).replace(/\/$/, '').endsWith(`/${wanted}`))
      : undefined)
  );
}

/** Pure and synchronous: runs before the ack. The order is message, channel default, the only repo, ask. */
export function resolveRepo(input: {
  text: string;
  channelId: string;
  repos: readonly RepoConfig[];
  channelRepos: Readonly<Record<string, string>>;
}): RepoResolution {
  const allowed = input.repos.map((repo) => repo.name);
  if (allowed.length === 0) return { type: 'none' };
  const named = namedRepository(input.text);
  if (named) {
    const repo = findConfigured(input.repos, named.name);
    return repo
      ? { type: 'resolved', repo: repo.name, hint: repo.name }
      : { type: 'unknown', named: named.name, allowed };
  }
  const channelDefault = input.channelRepos[input.channelId];
  if (channelDefault !== undefined) {
    const repo = findConfigured(input.repos, channelDefault);
    return repo ? { type: 'resolved', repo: repo.name } : { type: 'unknown', named: channelDefault, allowed };
  }
  const only = input.repos.length === 1 ? input.repos[0] : undefined;
  if (only) return { type: 'resolved', repo: only.name };
  return { type: 'ask', allowed };
}
