import type { WebClient } from '@slack/web-api';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../observability/logger.ts';
import type { BatonMetrics } from '../../observability/metrics.ts';
import type { SlackAuthoriser } from './authorise.ts';
import type { BackgroundTasks } from './background.ts';
import type { OnceMemory } from './once-memory.ts';
import type { AfterSubmit, Intake, ThreadLookup } from './types.ts';

/** What every Slack listener shares; built once by createSlackTrigger. */
export interface TriggerContext {
  config: Config;
  intake: Intake;
  store: ThreadLookup;
  log: Logger;
  metrics: BatonMetrics;
  afterSubmit: AfterSubmit;
  authoriser: SlackAuthoriser;
  /** Refusals already sent, by user and thread: a refusal is said once. */
  refused: OnceMemory;
  /** Deliveries this process already handled without reaching the intake (asks, refusals). */
  delivered: OnceMemory;
  background: BackgroundTasks;
  clock: () => Date;
  maxTextLength: number;
}

/** Where a plain line goes: only the user sees an ephemeral one; a thread line is seen by everyone there. */
export type SlackLine =
  | { type: 'ephemeral'; channel: string; user: string; threadTs?: string; text: string }
  | { type: 'thread'; channel: string; threadTs: string; text: string };

/** Posts a line after the ack. */
export function say(context: TriggerContext, client: WebClient, line: SlackLine): void {
  context.background.run(`slack-${line.type}-line`, async () => {
    switch (line.type) {
      case 'ephemeral':
        await client.chat.postEphemeral({
          channel: line.channel,
          user: line.user,
          text: line.text,
          ...(line.threadTs ? { thread_ts: line.threadTs } : {}),
        });
        return;
      case 'thread':
        await client.chat.postMessage({ channel: line.channel, thread_ts: line.threadTs, text: line.text });
        return;
    }
  });
}

export type RefusalReason = 'unauthorised' | 'membership_unknown' | 'too_long' | 'unknown_repo' | 'no_repo';

/** Counts every refusal; says it once per user and thread (a retry or a second try gets silence). */
export function refuse(
  context: TriggerContext,
  client: WebClient,
  refusal: { reason: RefusalReason; userId: string; threadKey: string; line: SlackLine },
): void {
  context.metrics.refusals.inc({ source: 'slack', reason: refusal.reason });
  context.log.info(
    { reason: refusal.reason, userId: refusal.userId, threadKey: refusal.threadKey },
    'slack-request-refused',
  );
  // A failed membership check is not a verdict: the next try may pass, so it is not remembered.
  const remembered = refusal.reason !== 'membership_unknown';
  if (!remembered || context.refused.first(`${refusal.reason}:${refusal.userId}:${refusal.threadKey}`)) {
    say(context, client, refusal.line);
  }
}
