import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../observability/logger.ts';
import type { BatonMetrics } from '../../observability/metrics.ts';
import type { Intake, SubmitResult } from '../../runs/intake.ts';
import type { QueuedRequest } from '../../runs/queued-request.ts';

/** The intake's contracts (src/runs/intake.ts); the trigger takes an intake as an argument. */
export type { CancelTarget, Intake, SubmitResult } from '../../runs/intake.ts';

/** A request with the repository the trigger resolved for it. */
export type SubmittedRequest = QueuedRequest;

/** The store lookup the trigger needs: is this Slack thread one Baton already works in, and on which repo? */
export interface ThreadLookup {
  getThreadByKey(key: string): Promise<{ id: string; repo: string } | null>;
}

/** Called after the ack (never awaited on the ack path): the composition root adds 👀 and the status message. */
export type AfterSubmit = (
  request: SubmittedRequest,
  result: Exclude<SubmitResult, { type: 'duplicate' }>,
) => Promise<void> | void;

export interface SlackTriggerOptions {
  config: Config;
  botToken: string;
  /** HTTP mode: events, commands and interactivity arrive at `/slack/events`, signed with this secret. */
  signingSecret?: string;
  /** Socket Mode (used when there is no signing secret): an app-level `xapp-` token. */
  appToken?: string;
  /** Slack Web API base URL ending in `/` (SLACK_API_URL); the SDK default when unset. */
  apiUrl?: string;
  intake: Intake;
  store: ThreadLookup;
  log: Logger;
  metrics: BatonMetrics;
  afterSubmit: AfterSubmit;
  /** ISO timestamps for `receivedAt`. */
  clock?: () => Date;
  /** How long a user group's member list is trusted before it is fetched again. */
  userGroupTtlMs?: number;
  /** Messages longer than this are refused before anything runs. */
  maxTextLength?: number;
}

export interface SlackTrigger {
  mode: 'http' | 'socket';
  /** HTTP mode only: the listener for `/slack/events` (register it in the gateway's route table). */
  requestListener?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Checks the bot token (auth.test), warms the user-group cache; Socket Mode also connects. */
  start(): Promise<void>;
  /** Disconnects (Socket Mode) and waits for post-ack work to finish. */
  stop(): Promise<void>;
  /** Resolves when every post-ack task started so far has settled (tests and graceful shutdown). */
  idle(): Promise<void>;
}
