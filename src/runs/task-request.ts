/** Where a request came from; replies go back there. Tagged on `kind`. */
export type TaskOrigin =
  | { kind: 'slack'; teamId: string; channelId: string; threadTs: string; messageTs: string; userId: string }
  | { kind: 'linear'; issueId: string; commentId?: string; agentSessionId?: string }
  | {
      kind: 'github';
      repo: string;
      number: number;
      commentId?: number;
      /** What `commentId` names: a conversation comment (`issue`) or a review comment on the diff (`review`). */
      commentKind?: 'issue' | 'review';
    }
  | { kind: 'cli'; path: string };

export interface Requester {
  /** The origin's user id (Slack U…, GitHub login, Linear user id). */
  id: string;
  name?: string;
}

/** A normalised request from any trigger, ready to enqueue. Built before the ack, so nothing slow. */
export interface TaskRequest {
  origin: TaskOrigin;
  requester: Requester;
  text: string;
  /** `owner/name` when the request named a repository. */
  repoHint?: string;
  /** `ENG-123` when the request came from (or names) a Linear issue; the PR body says `Fixes ENG-123`. */
  linearIssueKey?: string;
  /**
   * The thread this request continues when it is not the origin's own: a comment on a Baton pull
   * request continues the thread that owns the PR's branch (e.g. the Slack thread that asked for it).
   */
  threadKey?: string;
  /** ISO timestamp. */
  receivedAt: string;
  /** Claimed atomically before enqueue; a retry with any of these keys is a duplicate. */
  dedupeKeys: string[];
  traceparent?: string;
}

/** The deterministic thread key: every message of one conversation maps to one thread. */
export function threadKeyOf(origin: TaskOrigin): string {
  switch (origin.kind) {
    case 'slack':
      return `slack:${origin.teamId}:${origin.channelId}:${origin.threadTs}`;
    case 'linear':
      return `linear:${origin.issueId}`;
    case 'github':
      return `github:${origin.repo}#${origin.number}`;
    case 'cli':
      return `cli:${origin.path}`;
  }
}
