import type { ChildProcess } from 'node:child_process';

/** One process envd runs, with the streams that follow it (a Start stream, or Connect ones). */
export interface FakeProcess {
  pid: number;
  child: ChildProcess;
  cmd: string;
  args: string[];
  envs: Record<string, string>;
  cwd?: string;
  tag?: string;
  /** Listeners get every event as the JSON form of a ProcessEvent. */
  listeners: Set<(event: Record<string, unknown>) => void>;
  /** Drop every stream following the process without an end event (the VM went away). */
  cuts: Set<() => void>;
  ended?: Record<string, unknown>;
}

export interface FakeSandbox {
  sandboxID: string;
  templateID: string;
  metadata: Record<string, string>;
  envVars: Record<string, string>;
  allowInternetAccess: boolean;
  envdAccessToken: string;
  startedAt: Date;
  endAt: Date;
  state: 'running' | 'paused';
  /** Host directory holding the sandbox's root filesystem. */
  root: string;
  processes: Map<number, FakeProcess>;
  timer?: NodeJS.Timeout;
}

/** What the fake saw, for tests to assert on. */
export interface E2BRecord {
  /** Every REST call: method, path, status, and when it started and ended (performance.now()). */
  api: { method: string; path: string; status: number; startedAt: number; endedAt: number }[];
  /** Every envd call: the RPC or HTTP path, the sandbox, the status, its start and end. */
  envd: { path: string; sandboxId?: string; status: number; startedAt: number; endedAt: number }[];
  /** Every process start: the command line and the environment it was given. */
  processStarts: {
    sandboxId: string;
    cmd: string;
    args: string[];
    envs: Record<string, string>;
    user: string;
  }[];
  /** Every file upload through the HTTP file API. */
  uploads: { sandboxId: string; path: string; bytes: number; head: string }[];
  /** Every create request body as sent. */
  creates: Record<string, unknown>[];
  killed: string[];
  paused: string[];
  resumed: string[];
}

/** A scripted failure for the next matching REST calls (429 with Retry-After, 500, 401, ...). */
export interface ApiFault {
  method: string;
  /** Matched against the request path with startsWith. */
  path: string;
  status: number;
  retryAfterSeconds?: number;
  message?: string;
  times: number;
}

export function emptyRecord(): E2BRecord {
  return {
    api: [],
    envd: [],
    processStarts: [],
    uploads: [],
    creates: [],
    killed: [],
    paused: [],
    resumed: [],
  };
}
