import { BatonError } from '../observability/errors.ts';
import type { TaskRequest } from './task-request.ts';

/** A request after its repository is resolved: what intake stores on the turn and the worker runs. */
export type QueuedRequest = TaskRequest & { repo: string };

/**
 * The request stored on a turn, checked. It was written by an intake, perhaps of an older release,
 * so the fields the worker depends on are verified rather than assumed.
 */
export function queuedRequestOf(turnId: string, stored: Record<string, unknown>): QueuedRequest {
  const { origin, requester, text, repo, receivedAt, dedupeKeys } = stored;
  const valid =
    isRecord(origin) &&
    typeof origin.kind === 'string' &&
    isRecord(requester) &&
    typeof requester.id === 'string' &&
    typeof text === 'string' &&
    typeof repo === 'string' &&
    typeof receivedAt === 'string' &&
    Array.isArray(dedupeKeys);
  if (!valid) {
    throw new BatonError({
      code: 'turn_request_invalid',
      message: `turn ${turnId} has no usable request (origin, requester, text, repo, receivedAt)`,
      hint: 'the turn was not queued through intake; it cannot run on a worker',
    });
  }
  // Checked field by field above; the origin's variant fields are the trigger's to have written.
  return stored as unknown as QueuedRequest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
