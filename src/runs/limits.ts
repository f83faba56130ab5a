import type { RunsConfig } from '../config/schema.ts';
import type { QueueCounts, TurnLimits } from '../store/types.ts';

export function limitsOf(config: Pick<RunsConfig, 'maxGlobal' | 'maxPerRequester'>): TurnLimits {
  return { maxGlobal: config.maxGlobal, maxPerRequester: config.maxPerRequester };
}

/**
 * Where a queued turn stands: 0 when a slot is free for it now, otherwise how many turns have to
 * start or end before it does, under the global limit and its requester's limit, whichever is worse.
 */
export function queuePosition(counts: QueueCounts, limits: TurnLimits): number {
  const freeSlots = Math.max(0, limits.maxGlobal - counts.running);
  const freeForRequester = Math.max(0, limits.maxPerRequester - counts.runningForRequester);
  const globalPosition = counts.queuedAhead + 1 - freeSlots;
  const requesterPosition = counts.queuedAheadForRequester + 1 - freeForRequester;
  return Math.max(0, globalPosition, requesterPosition);
}
