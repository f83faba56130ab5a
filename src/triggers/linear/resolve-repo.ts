import type { Config } from '../../config/schema.ts';
import type { IssueFacts } from './interpret-event.ts';

export type RepoResolution =
  | { type: 'resolved'; repo: string; source: 'text' | 'team' | 'project' | 'label' | 'only-repo' }
  /** Baton must ask; `unknownRepo` is a `repo:` the text named that is not configured. */
  | { type: 'ask'; repos: string[]; unknownRepo?: string };

const REPO_MENTION = /(?:^|\s)repo:\s*([\w.-]+\/[\w.-]+)/i;

/** `repo:owner/name` written in the request, if any. */
export function findRepoMention(text: string): string | undefined {
  return REPO_MENTION.exec(text)?.[1];
}

/**
 * Which repository a Linear request is about, from what the webhook carries (no Linear call before
 * the ack). An explicit `repo:owner/name` wins over the configured mappings: the person asking knows
 * better than a team default. Then team key, project id and label name (in that order, as the config
 * documents), then the only configured repository; otherwise Baton asks.
 */
export function resolveLinearRepo(options: {
  config: Config;
  issue: IssueFacts;
  texts: string[];
}): RepoResolution {
  const { config, issue } = options;
  const configured = config.repos.map((repo) => repo.name);
  const isConfigured = (name: string) =>
    configured.some((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const canonical = (name: string) =>
    configured.find((candidate) => candidate.toLowerCase() === name.toLowerCase()) ?? name;

  const named = options.texts.map(findRepoMention).find((mention) => mention !== undefined);
  if (named !== undefined) {
    if (isConfigured(named)) return { type: 'resolved', repo: canonical(named), source: 'text' };
    return { type: 'ask', repos: configured, unknownRepo: named };
  }

  const { teamRepos, projectRepos, labelRepos } = config.linear;
  const byTeam = issue.teamKey === undefined ? undefined : teamRepos[issue.teamKey];
  if (byTeam) return { type: 'resolved', repo: byTeam, source: 'team' };
  const byProject = issue.projectId === undefined ? undefined : projectRepos[issue.projectId];
  if (byProject) return { type: 'resolved', repo: byProject, source: 'project' };
  for (const labelName of issue.labelNames) {
    const byLabel = labelRepos[labelName];
    if (byLabel) return { type: 'resolved', repo: byLabel, source: 'label' };
  }
  const only = configured.length === 1 ? configured[0] : undefined;
  if (only !== undefined) return { type: 'resolved', repo: only, source: 'only-repo' };
  return { type: 'ask', repos: configured };
}
