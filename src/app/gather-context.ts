import type { Config } from '../config/schema.ts';
import type { ContextDocument } from '../context/types.ts';
import { fetchGitHubContext } from '../integrations/github/context.ts';
import { findGitHubRefs } from '../integrations/github/links.ts';
import { fetchLinearContext, findLinearKeys } from '../integrations/linear/index.ts';
import { fetchSlackThread } from '../integrations/slack/index.ts';
import { describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { QueuedRequest } from '../runs/queued-request.ts';
import type { Integrations } from './compose-integrations.ts';

const MAX_GITHUB_CHARS = 40_000;
const MAX_REFERENCED = 5;

/**
 * The context of a request, gathered while the sandbox is made: the conversation it came from
 * (Slack thread, PR, Linear issue) and the GitHub and Linear items its text names. A source that
 * cannot be read is logged and left out; the run goes on with what there is.
 */
export async function gatherContext(options: {
  request: QueuedRequest;
  integrations: Integrations;
  config: Config;
  githubApiUrl?: string;
  log: Logger;
}): Promise<ContextDocument[]> {
  const { request, integrations, log } = options;
  const origin = request.origin;
  const sources: Promise<ContextDocument[]>[] = [];
  const attempt = (name: string, fetchDocuments: () => Promise<ContextDocument[]>) =>
    sources.push(
      fetchDocuments().catch((error: unknown) => {
        log.warn({ source: name, error: describeError(error) }, 'context source failed');
        return [];
      }),
    );
  const { slack, github, linear } = integrations;
  if (origin.kind === 'slack' && slack) {
    attempt('slack-thread', () => fetchSlackThread({ client: slack, origin, limit: 50 }));
  }
  if (origin.kind === 'linear' && linear) {
    attempt('linear-issue', () =>
      fetchLinearContext({ client: linear, issueId: origin.issueId, requesterId: request.requester.id, log }),
    );
  }
  if (github) {
    const refs = findGitHubRefs(request.text, { apiUrl: options.githubApiUrl });
    if (origin.kind === 'github') refs.unshift({ repo: origin.repo, number: origin.number });
    const unique = refs.filter(
      (ref, index) =>
        refs.findIndex((other) => other.repo === ref.repo && other.number === ref.number) === index,
    );
    for (const ref of unique.slice(0, MAX_REFERENCED)) {
      attempt(`github:${ref.repo}#${ref.number}`, () =>
        fetchGitHubContext({
          octokitFor: github.client.octokitFor,
          ref,
          requester: origin.kind === 'github' ? request.requester.id : undefined,
          maxChars: MAX_GITHUB_CHARS,
          log,
        }),
      );
    }
  }
  if (linear && origin.kind !== 'linear') {
    const keys = findLinearKeys(request.text).slice(0, MAX_REFERENCED);
    if (keys.length > 0)
      attempt('linear-keys', () => fetchLinearContext({ client: linear, issueKeys: keys, log }));
  }
  return (await Promise.all(sources)).flat();
}
