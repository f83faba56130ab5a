import { describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { QueuedRequest } from '../runs/queued-request.ts';
import type { Integrations } from './compose-integrations.ts';

/** Where a request came from, as a label and (when it can be had) a link, for the pull request body. */
export async function originLink(
  request: QueuedRequest,
  integrations: Integrations,
  log: Logger,
): Promise<{ originLabel: string; originUrl?: string }> {
  const origin = request.origin;
  switch (origin.kind) {
    case 'slack': {
      const label = 'Slack thread';
      if (!integrations.slack) return { originLabel: label };
      try {
        const result = await integrations.slack.chat.getPermalink({
          channel: origin.channelId,
          message_ts: origin.threadTs,
        });
        return { originLabel: label, originUrl: result.permalink };
      } catch (error) {
        log.warn({ error: describeError(error) }, 'no permalink for the Slack thread');
        return { originLabel: label };
      }
    }
    case 'linear':
      return { originLabel: `Linear issue ${request.linearIssueKey ?? origin.issueId}` };
    case 'github': {
      const host = integrations.github?.webHost ?? 'github.com';
      return {
        originLabel: `${origin.repo}#${origin.number}`,
        originUrl: `https://${host}/${origin.repo}/pull/${origin.number}`,
      };
    }
    case 'cli':
      return { originLabel: 'command line' };
  }
}
