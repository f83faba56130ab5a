import { createHash } from 'node:crypto';
import type { InboxText } from '../agent/loop.ts';
import type { RepoConfig } from '../config/schema.ts';
import type { ContextDocument } from '../context/types.ts';
import { executeTurn } from './execute-turn.ts';
import type { Reporter, RunOutcome } from './reporter.ts';
import type { TurnDependencies } from './turn-dependencies.ts';

export type { Publisher, TurnDependencies } from './turn-dependencies.ts';

export interface TurnRequest {
  threadKey: string;
  origin: Record<string, unknown>;
  repo: RepoConfig;
  task: string;
  requester?: string;
  documents?: readonly ContextDocument[];
  reporter: Reporter;
  signal?: AbortSignal;
  drainInbox?: () => Promise<readonly (string | InboxText)[]>;
}

export interface TurnResult {
  turnId: string;
  threadId: string;
  outcome: RunOutcome;
}

/** `baton/<id>`: deterministic per thread, so every turn of a thread works on the same branch. */
export function threadBranch(prefix: string, threadKey: string): string {
  return `${prefix}${createHash('sha256').update(threadKey).digest('hex').slice(0, 12)}`;
}

/** A turn started in this process (the CLI): creates the thread and turn records, then runs it. */
export async function runTurn(deps: TurnDependencies, request: TurnRequest): Promise<TurnResult> {
  const thread = await deps.store.upsertThread({
    key: request.threadKey,
    origin: request.origin,
    repo: request.repo.name,
    branch: threadBranch(deps.config.git.branchPrefix, request.threadKey),
  });
  const turn = await deps.store.createTurn({
    threadId: thread.id,
    request: { task: request.task, requester: request.requester },
  });
  const outcome = await executeTurn(deps, {
    turn,
    thread,
    repo: request.repo,
    task: request.task,
    requester: request.requester,
    documents: request.documents,
    reporter: request.reporter,
    signal: request.signal ?? new AbortController().signal,
    drainInbox: request.drainInbox,
  });
  return { turnId: turn.id, threadId: thread.id, outcome };
}
