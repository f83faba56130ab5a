import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayRequest, RouteHandler } from '../../../src/gateway/route-table.ts';
import type { Requester } from '../../../src/runs/task-request.ts';
import { threadKeyOf } from '../../../src/runs/task-request.ts';
import type {
  LinearIntake,
  LinearSubmitResult,
  LinearTaskRequest,
} from '../../../src/triggers/linear/webhook.ts';

/** An intake that claims dedupe keys like the real one (any claimed key makes a duplicate) and remembers. */
export interface RecordingIntake extends LinearIntake {
  readonly submitted: LinearTaskRequest[];
  readonly cancels: { target: { turnId: string } | { threadKey: string }; by: Requester }[];
  /** Thread keys with a running turn, for `cancel`. */
  readonly active: Set<string>;
}

export function createRecordingIntake(): RecordingIntake {
  const claimed = new Set<string>();
  const intake: RecordingIntake = {
    submitted: [],
    cancels: [],
    active: new Set(),
    async submit(request): Promise<LinearSubmitResult> {
      // Claimed synchronously, before any await: two concurrent deliveries cannot both pass.
      if (request.dedupeKeys.some((key) => claimed.has(key))) return { type: 'duplicate' };
      for (const key of request.dedupeKeys) claimed.add(key);
      await Promise.resolve();
      intake.submitted.push(request);
      const threadKey = threadKeyOf(request.origin);
      const injected = intake.active.has(threadKey);
      intake.active.add(threadKey);
      const turnId = `turn-${intake.submitted.length}`;
      return injected
        ? { type: 'injected', turnId, threadId: threadKey }
        : { type: 'queued', turnId, threadId: threadKey, position: 0 };
    },
    async cancel(target, by) {
      intake.cancels.push({ target, by });
      if ('threadKey' in target && intake.active.delete(target.threadKey))
        return { cancelled: true, turnId: 'turn-1' };
      return { cancelled: false };
    },
  };
  return intake;
}

/** Serves one route handler the way the gateway does: the raw body is read first and attached. */
export async function serveRoute(handler: RouteHandler): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const gatewayRequest = Object.assign(request, { rawBody: Buffer.concat(chunks) }) as GatewayRequest;
      Promise.resolve(handler(gatewayRequest, response)).catch(() => {
        response.statusCode = 500;
        response.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/linear`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves once `condition` holds; the test's own timeout bounds the wait. */
export async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
