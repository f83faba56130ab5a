import { LinearWebhookClient } from '@linear/sdk/webhooks';
import type { Config } from '../../config/schema.ts';
import { sendError, sendJson } from '../../gateway/respond.ts';
import type { GatewayRequest, RouteHandler } from '../../gateway/route-table.ts';
import { describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { type Requester, type TaskRequest, threadKeyOf } from '../../runs/task-request.ts';
import { interpretLinearEvent, type LinearTrigger } from './interpret-event.ts';
import { webhookEnvelopeSchema } from './payload.ts';
import { resolveLinearRepo } from './resolve-repo.ts';

export type LinearSubmitResult =
  | { type: 'duplicate' }
  | { type: 'queued'; turnId: string; threadId: string; position: number }
  | { type: 'injected'; turnId: string; threadId: string };

export type LinearTaskRequest = TaskRequest & { repo: string };

/** The slice of the run intake this trigger uses (src/runs/intake.ts). */
export interface LinearIntake {
  submit(request: LinearTaskRequest): Promise<LinearSubmitResult>;
  cancel(
    target: { turnId: string } | { threadKey: string },
    by: Requester,
  ): Promise<{ cancelled: boolean; turnId?: string }>;
}

export interface LinearAfterSubmit {
  request: LinearTaskRequest;
  result: LinearSubmitResult;
  /** Set for agent sessions: Linear shows the agent as unresponsive without an activity within 10 s. */
  agentSessionId?: string;
}

export interface LinearWebhookHandlerOptions {
  /** LINEAR_WEBHOOK_SECRET. Without it every request is refused. */
  secret: string | undefined;
  config: Config;
  intake: LinearIntake;
  log: Logger;
  clock?: { now(): Date };
  /** Baton's own Linear user id (from `viewer`): its comments never start a run. */
  botUserId?: string;
  /** Runs after the ack, never awaited by it: the composition posts the first agent activity here. */
  afterSubmit?: (event: LinearAfterSubmit) => void | Promise<void>;
  /** No repository could be picked: ask on the issue (or in the agent session), after the ack. */
  askForRepo?: (
    issueId: string,
    repos: string[],
    context: { agentSessionId?: string; unknownRepo?: string },
  ) => void | Promise<void>;
  /** After a stop signal: Linear expects a final `response` or `error` activity even when nothing ran. */
  afterStop?: (event: {
    issueId: string;
    agentSessionId: string;
    cancelled: boolean;
  }) => void | Promise<void>;
}

/**
 * POST /webhooks/linear: verify (HMAC over the raw body and `webhookTimestamp` within 60 s, by the
 * SDK's own check), normalise, enqueue, ack. Nothing slow happens before the answer.
 */
export function createLinearWebhookHandler(options: LinearWebhookHandlerOptions): RouteHandler {
  const log = options.log.child({ component: 'linear-webhook' });
  const clock = options.clock ?? { now: () => new Date() };
  const verifier = options.secret ? new LinearWebhookClient(options.secret) : undefined;

  const later = (what: string, task: () => void | Promise<void>) => {
    setImmediate(() => {
      Promise.resolve()
        .then(task)
        .catch((error: unknown) => log.warn({ err: error }, `${what} failed: ${describeError(error)}`));
    });
  };

  return async function handleLinearWebhook(request: GatewayRequest, response) {
    if (!verifier) {
      log.error('refusing a Linear webhook: LINEAR_WEBHOOK_SECRET is not set');
      return sendError(
        response,
        503,
        'not_configured',
        'Linear webhooks are not configured: set LINEAR_WEBHOOK_SECRET.',
      );
    }
    if (request.method !== 'POST') return sendError(response, 405, 'method_not_allowed', 'Use POST.');
    const signature = header(request, 'linear-signature');
    if (!signature) return sendError(response, 401, 'bad_signature', 'Missing Linear-Signature.');

    let body: unknown;
    try {
      // Throws on a wrong signature, a missing or stale `webhookTimestamp`, or (after the HMAC
      // matched) a body that is not JSON.
      body = verifier.parseData(request.rawBody, signature);
    } catch (error) {
      if (error instanceof SyntaxError)
        return sendError(response, 400, 'malformed_json', 'The body is not JSON.');
      log.warn({ reason: describeError(error) }, 'rejected a Linear webhook');
      return sendError(response, 401, 'bad_signature', 'Invalid signature or stale webhookTimestamp.');
    }
    const envelope = webhookEnvelopeSchema.safeParse(body);
    if (!envelope.success)
      return sendError(response, 400, 'malformed_payload', 'The body is not a Linear webhook.');

    const deliveryId = header(request, 'linear-delivery');
    const trigger = restrictToAllowedTeams(
      interpretLinearEvent(envelope.data, {
        config: options.config.linear,
        ...(options.botUserId ? { botUserId: options.botUserId } : {}),
      }),
      options.config.linear.allowedTeams,
    );
    try {
      await act(trigger, deliveryId);
    } catch (error) {
      log.error({ err: error, deliveryId }, 'could not enqueue a Linear request');
      // A non-2xx makes Linear deliver again; the dedupe keys make that safe.
      return sendError(
        response,
        500,
        'enqueue_failed',
        'Baton could not take the request; Linear will retry.',
      );
    }
    return sendJson(response, 200, { ok: true });
  };

  async function act(trigger: LinearTrigger, deliveryId: string | undefined): Promise<void> {
    switch (trigger.type) {
      case 'ignore':
        log.debug({ reason: trigger.reason, deliveryId }, 'ignored a Linear webhook');
        return;
      case 'stop': {
        const outcome = await options.intake.cancel(
          { threadKey: threadKeyOf({ kind: 'linear', issueId: trigger.issueId }) },
          trigger.requester,
        );
        log.info({ issueId: trigger.issueId, cancelled: outcome.cancelled }, 'stop signal from Linear');
        const afterStop = options.afterStop;
        if (afterStop) {
          const event = {
            issueId: trigger.issueId,
            agentSessionId: trigger.agentSessionId,
            cancelled: outcome.cancelled,
          };
          later('afterStop', () => afterStop(event));
        }
        return;
      }
      case 'start':
        return start(trigger, deliveryId);
    }
  }

  async function start(trigger: Extract<LinearTrigger, { type: 'start' }>, deliveryId: string | undefined) {
    const resolution = resolveLinearRepo({
      config: options.config,
      issue: trigger.issue,
      texts: [trigger.text, trigger.issue.description],
    });
    if (resolution.type === 'ask') {
      const askForRepo = options.askForRepo;
      log.info(
        { issueId: trigger.issue.id, unknownRepo: resolution.unknownRepo },
        'no repository for a Linear request',
      );
      if (askForRepo) {
        const context = {
          ...(trigger.agentSessionId ? { agentSessionId: trigger.agentSessionId } : {}),
          ...(resolution.unknownRepo ? { unknownRepo: resolution.unknownRepo } : {}),
        };
        later('askForRepo', () => askForRepo(trigger.issue.id, resolution.repos, context));
      }
      return;
    }
    const request: LinearTaskRequest = {
      origin: {
        kind: 'linear',
        issueId: trigger.issue.id,
        ...(trigger.commentId ? { commentId: trigger.commentId } : {}),
        ...(trigger.agentSessionId ? { agentSessionId: trigger.agentSessionId } : {}),
      },
      requester: trigger.requester,
      text: trigger.text,
      repo: resolution.repo,
      ...(resolution.source === 'text' ? { repoHint: resolution.repo } : {}),
      ...(trigger.issue.identifier ? { linearIssueKey: trigger.issue.identifier } : {}),
      receivedAt: clock.now().toISOString(),
      dedupeKeys: [...(deliveryId ? [`linear-delivery:${deliveryId}`] : []), ...trigger.dedupeKeys],
    };
    const result = await options.intake.submit(request);
    log.info(
      { issueId: trigger.issue.id, event: trigger.event, result: result.type, repo: resolution.repo },
      'Linear request taken',
    );
    const afterSubmit = options.afterSubmit;
    if (afterSubmit) {
      const event = {
        request,
        result,
        ...(trigger.agentSessionId ? { agentSessionId: trigger.agentSessionId } : {}),
      };
      later('afterSubmit', () => afterSubmit(event));
    }
  }
}

function header(request: GatewayRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** DESIGN §5: only allowlisted Linear teams may start runs (an empty list allows every team). */
function restrictToAllowedTeams(trigger: LinearTrigger, allowedTeams: readonly string[]): LinearTrigger {
  if (trigger.type !== 'start' || allowedTeams.length === 0) return trigger;
  if (trigger.issue.teamKey && allowedTeams.includes(trigger.issue.teamKey)) return trigger;
  return {
    type: 'ignore',
    reason: `team ${trigger.issue.teamKey ?? '(none)'} is not in linear.allowedTeams`,
  };
}
