/** Where a request came from; replies go back there. Tagged on `kind`. */
export type TaskOrigin =
  | { kind: 'slack'; teamId: string; channelId: string; threadTs: string; messageTs: string; userId: string }
  | { kind: 'linear'; issueId: string; commentId?: string; agentSessionId?: string }
  | { kind: 'github'; repo: string; number: number; commentId?: number }
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
