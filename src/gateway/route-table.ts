import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request whose body the gateway has already read (within the size limit): signature checks need the raw bytes. */
export type GatewayRequest = IncomingMessage & { rawBody: Buffer };

export type RouteHandler = (request: GatewayRequest, response: ServerResponse) => void | Promise<void>;

export type RouteMatch =
  | { type: 'handler'; path: string; handler: RouteHandler }
  /** A known path nothing has registered for yet (e.g. Linear webhooks without a secret). */
  | { type: 'slot'; path: string; explanation: string }
  | { type: 'none' };

export interface RouteTable {
  /** Registers an exact path, or with `prefix` every path under it (`/runs` serves `/runs/abc`). */
  register(path: string, handler: RouteHandler, options?: { prefix?: boolean }): void;
  match(path: string): RouteMatch;
  paths(): string[];
}

/** Paths the gateway serves itself; nothing may register over them. */
export const RESERVED_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics'];

/** Front doors whose absence deserves an explanation rather than a bare 404. */
export const DEFAULT_SLOTS: Readonly<Record<string, string>> = {
  '/slack/events':
    'Slack is not configured on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or use Socket Mode).',
  '/webhooks/linear': 'Linear webhooks are not configured on this server: set LINEAR_WEBHOOK_SECRET.',
  '/webhooks/github': 'GitHub webhooks are not configured on this server: set GITHUB_WEBHOOK_SECRET.',
};

export function createRouteTable(slots: Readonly<Record<string, string>> = DEFAULT_SLOTS): RouteTable {
  const exact = new Map<string, RouteHandler>();
  const prefixes = new Map<string, RouteHandler>();

  return {
    register(path, handler, options = {}) {
      if (!path.startsWith('/')) throw new Error(`route ${path} must start with /`);
      if (RESERVED_PATHS.includes(path)) throw new Error(`route ${path} is served by the gateway itself`);
      const table = options.prefix ? prefixes : exact;
      if (table.has(path)) throw new Error(`route ${path} is registered twice`);
      table.set(path, handler);
    },
    match(path) {
      const handler = exact.get(path);
      if (handler) return { type: 'handler', path, handler };
      const prefix = [...prefixes.keys()]
        .filter((candidate) => path === candidate || path.startsWith(`${candidate.replace(/\/$/, '')}/`))
        .sort((left, right) => right.length - left.length)[0];
      const prefixHandler = prefix === undefined ? undefined : prefixes.get(prefix);
      if (prefix !== undefined && prefixHandler)
        return { type: 'handler', path: prefix, handler: prefixHandler };
      const explanation = slots[path];
      if (explanation !== undefined) return { type: 'slot', path, explanation };
      return { type: 'none' };
    },
    paths: () => [...exact.keys(), ...[...prefixes.keys()].map((path) => `${path}/*`)],
  };
}
