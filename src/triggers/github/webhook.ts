import type { Octokit } from '@octokit/rest';
import type { Config } from '../../config/schema.ts';
import { sendError, sendJson } from '../../gateway/respond.ts';
import type { GatewayRequest, RouteHandler } from '../../gateway/route-table.ts';
import { createPermissionChecker, type PermissionChecker } from '../../integrations/github/permissions.ts';
import { describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { type GitHubCandidate, interpretGitHubEvent } from './interpret-event.ts';
import { checkBatonHead, fetchPullHead } from './resolve-head.ts';
import {
  type BranchThreadLookup,
  GITHUB_EVENTS,
  type GitHubAfterSubmit,
  type GitHubEvent,
  type GitHubIntake,
  type IgnoreReason,
  type SubmittedRequest,
} from './types.ts';
import { verifyGitHubSignature } from './verify-signature.ts';

export interface GitHubWebhookHandlerOptions {
  /** GITHUB_WEBHOOK_SECRET. Without it every delivery is refused. */
  secret: string | undefined;
  config: Config;
  intake: GitHubIntake;
  store: BranchThreadLookup;
  /** An installation-scoped client per repository (G1's `createGitHubClient(…).octokitFor`). */
  octokitFor: (repo: string) => Octokit;
  log: Logger;
  /** Runs after the ack for a request that was taken (not for duplicates). */
  afterSubmit?: GitHubAfterSubmit;
  /** Shared when several handlers should share one cache; built from `octokitFor` otherwise. */
  permissions?: PermissionChecker;
  clock?: () => Date;
  /**
   * Bound of each GitHub call made before the ack (the PR lookup and the permission check). Two of
   * them stay inside GitHub's 10 s, which it does not retry after.
   */
  githubTimeoutMs?: number;
}

type Decision = { type: 'ignored'; reason: IgnoreReason } | { type: 'submit'; request: SubmittedRequest };

/**
 * POST /webhooks/github: verify `X-Hub-Signature-256` over the raw body, keep the three comment
 * events that can address Baton, check that a person with write access asked on a Baton PR, submit
 * (the intake claims the delivery id, so a redelivery is a duplicate) and ack.
 */
export function createGitHubWebhookHandler(options: GitHubWebhookHandlerOptions): RouteHandler {
  const log = options.log.child({ component: 'github-webhook' });
  const clock = options.clock ?? (() => new Date());
  const githubTimeoutMs = options.githubTimeoutMs ?? 3_500;
  const permissions =
    options.permissions ??
    createPermissionChecker({ octokitFor: options.octokitFor, timeoutMs: githubTimeoutMs });
  const { config } = options;

  return async function handleGitHubWebhook(request: GatewayRequest, response) {
    const secret = options.secret;
    if (!secret) {
      log.error('refusing a GitHub webhook: GITHUB_WEBHOOK_SECRET is not set');
      return sendError(
        response,
        500,
        'not_configured',
        'GitHub webhooks are not configured: set GITHUB_WEBHOOK_SECRET.',
      );
    }
    if (request.method !== 'POST') return sendError(response, 405, 'method_not_allowed', 'Use POST.');
    if (!verifyGitHubSignature(request.rawBody, header(request, 'x-hub-signature-256'), secret)) {
      log.warn(
        { deliveryId: header(request, 'x-github-delivery') },
        'rejected a GitHub webhook: bad signature',
      );
      return sendError(response, 401, 'bad_signature', 'Missing or invalid X-Hub-Signature-256.');
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      return sendError(response, 400, 'malformed_json', 'The body is not JSON.');
    }
    const event = header(request, 'x-github-event');
    if (!isHandled(event)) {
      response.writeHead(204).end();
      return;
    }
    const deliveryId = header(request, 'x-github-delivery');
    if (!deliveryId) return sendError(response, 400, 'missing_delivery', 'Missing X-GitHub-Delivery.');

    const trigger = interpretGitHubEvent(event, body, config);
    let decision: Decision;
    switch (trigger.type) {
      case 'malformed':
        log.warn({ deliveryId, event, problem: trigger.problem }, 'malformed GitHub webhook payload');
        return sendError(response, 400, 'malformed_payload', `The body is not a GitHub ${event} payload.`);
      case 'ignore':
        decision = { type: 'ignored', reason: trigger.reason };
        break;
      case 'candidate':
        try {
          decision = await decide(trigger.candidate, deliveryId);
        } catch (error) {
          // Nothing was claimed: a manual redelivery from GitHub's UI will be taken.
          log.error({ err: error, deliveryId }, `could not check a GitHub request: ${describeError(error)}`);
          return sendError(
            response,
            503,
            'github_unavailable',
            'Baton could not check the request with GitHub; redeliver it later.',
          );
        }
        break;
    }

    if (decision.type === 'ignored') {
      log.info({ deliveryId, event, reason: decision.reason }, 'ignored a GitHub webhook');
      return sendJson(response, 200, { result: 'ignored', reason: decision.reason });
    }
    let result: Awaited<ReturnType<GitHubIntake['submit']>>;
    try {
      result = await options.intake.submit(decision.request);
    } catch (error) {
      log.error({ err: error, deliveryId }, 'could not enqueue a GitHub request');
      return sendError(
        response,
        500,
        'enqueue_failed',
        'Baton could not take the request; redeliver it later.',
      );
    }
    const origin = decision.request.origin;
    log.info(
      {
        deliveryId,
        event,
        result: result.type,
        repo: decision.request.repo,
        threadKey: decision.request.threadKey,
        origin,
      },
      'GitHub request taken',
    );
    sendJson(response, 200, { result: result.type });
    const afterSubmit = options.afterSubmit;
    if (afterSubmit && result.type !== 'duplicate') {
      const taken = result;
      const submitted = decision.request;
      setImmediate(() => {
        Promise.resolve()
          .then(() => afterSubmit(submitted, taken))
          .catch((error: unknown) => log.warn({ err: error }, `afterSubmit failed: ${describeError(error)}`));
      });
    }
  };

  /** The checks that need GitHub or the store, cheapest first. */
  async function decide(candidate: GitHubCandidate, deliveryId: string): Promise<Decision> {
    const head =
      candidate.head ??
      (await fetchPullHead({
        octokitFor: options.octokitFor,
        repo: candidate.repo,
        number: candidate.number,
        timeoutMs: githubTimeoutMs,
      }));
    const notBaton = checkBatonHead(head, candidate.repo, config.git.branchPrefix);
    if (notBaton) return { type: 'ignored', reason: notBaton };

    const verdict = await permissions.check(candidate.repo, candidate.author);
    if (!verdict.allowed) {
      log.info(
        {
          deliveryId,
          repo: candidate.repo,
          login: candidate.author,
          permission: verdict.permission,
          role: verdict.roleName,
        },
        'a commenter without write access addressed Baton',
      );
      return { type: 'ignored', reason: 'not_authorised' };
    }

    const thread = await options.store.getThreadByBranch(head.ref);
    // The same branch name in another repository is not that thread's work.
    if (!thread || thread.repo.toLowerCase() !== candidate.repo.toLowerCase()) {
      log.warn({ deliveryId, branch: head.ref, repo: candidate.repo }, 'no Baton thread owns this branch');
      return { type: 'ignored', reason: 'no_thread' };
    }

    return {
      type: 'submit',
      request: {
        origin: {
          kind: 'github',
          repo: candidate.repo,
          number: candidate.number,
          ...(candidate.comment
            ? { commentId: candidate.comment.id, commentKind: candidate.comment.kind }
            : {}),
        },
        requester: { id: candidate.author },
        text: candidate.text,
        repo: candidate.repo,
        repoHint: candidate.repo,
        threadKey: thread.key,
        receivedAt: clock().toISOString(),
        dedupeKeys: [`github-delivery:${deliveryId}`, candidate.subjectKey],
      },
    };
  }
}

function isHandled(event: string | undefined): event is GitHubEvent {
  return GITHUB_EVENTS.some((handled) => handled === event);
}

function header(request: GatewayRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
