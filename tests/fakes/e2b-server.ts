import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiError, createE2BApi, readBody, sendJson } from './e2b-api.ts';
import { createEnvd } from './e2b-envd.ts';
import { type ApiFault, type E2BRecord, emptyRecord, type FakeSandbox } from './e2b-state.ts';

/*
 * A loopback E2B: the REST API the SDK uses (spec/openapi.yml of e2b-dev/E2B: POST /v2/sandboxes,
 * POST /v2/sandboxes/{id}/connect, DELETE /sandboxes/{id}, POST /sandboxes/{id}/timeout,
 * POST /sandboxes/{id}/pause, GET /v2/sandboxes?metadata=&state=, GET /sandboxes/{id}, snapshots)
 * on one port, and envd (see e2b-envd.ts) on another, told apart per sandbox by the
 * E2b-Sandbox-Id header the SDK sends when E2B_SANDBOX_URL / `sandboxUrl` is set. Commands run
 * for real under bubblewrap in a per-sandbox root directory on the host.
 */

export { FAKE_ENVD_VERSION } from './e2b-api.ts';

export interface FakeE2B {
  apiUrl: string;
  sandboxUrl: string;
  apiKey: string;
  record: E2BRecord;
  sandboxes: Map<string, FakeSandbox>;
  snapshots: Map<string, { snapshotID: string; names: string[]; sandboxID: string }>;
  /** The next matching REST calls fail as scripted. */
  fail(fault: Omit<ApiFault, 'times'> & { times?: number }): void;
  /** The sandbox dies as if its VM were lost: processes killed, the API and envd no longer know it. */
  vanish(sandboxId: string): void;
  close(): Promise<void>;
}

export async function startFakeE2B(
  options: {
    apiKey?: string;
    templates?: string[];
    /** Added before every answer, as a network round trip would (benchmarks). */
    latencyMs?: number;
  } = {},
): Promise<FakeE2B> {
  const apiKey = options.apiKey ?? `e2b_${randomBytes(12).toString('hex')}`;
  const base = mkdtempSync(join(tmpdir(), 'baton-fake-e2b-'));
  const record = emptyRecord();
  const sandboxes = new Map<string, FakeSandbox>();
  const snapshots: FakeE2B['snapshots'] = new Map();
  const faults: ApiFault[] = [];
  const templates = new Set(options.templates ?? ['base']);
  const envd = createEnvd({ record });

  const { handle: api, destroy } = createE2BApi({
    apiKey,
    base,
    record,
    sandboxes,
    snapshots,
    faults,
    templates,
  });

  // When each request arrived, before the simulated latency: the record's startedAt.
  const arrivals = new WeakMap<IncomingMessage, number>();
  const delayed =
    (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
    (request: IncomingMessage, response: ServerResponse) => {
      arrivals.set(request, performance.now());
      if (options.latencyMs) setTimeout(() => handler(request, response), options.latencyMs);
      else handler(request, response);
    };

  const apiServer = createServer(
    delayed((request, response) => {
      const path = new URL(request.url ?? '/', 'http://fake').pathname;
      const startedAt = arrivals.get(request) ?? performance.now();
      const note = (status: number) =>
        record.api.push({
          method: request.method ?? 'GET',
          path,
          status,
          startedAt,
          endedAt: performance.now(),
        });
      api(request, response).then(note, (error: unknown) => {
        note(500);
        if (!response.headersSent) apiError(response, 500, String(error));
      });
    }),
  );

  const envdServer = createServer(
    delayed((request, response) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const sandboxId = String(request.headers['e2b-sandbox-id'] ?? '');
      const startedAt = arrivals.get(request) ?? performance.now();
      // A stream's entry is written when its response starts: the round trip is what the caller waits for.
      const done = (status: number) =>
        record.envd.push({ path: url.pathname, sandboxId, status, startedAt, endedAt: performance.now() });
      const sandbox = sandboxes.get(sandboxId);
      if (sandbox?.state !== 'running') {
        // What E2B's edge answers for a sandbox that is not running.
        sendJson(response, 502, { sandboxId, message: 'The sandbox was not found', code: 502 });
        done(502);
        return;
      }
      if (request.headers['x-access-token'] !== sandbox.envdAccessToken) {
        sendJson(response, 401, { code: 'unauthenticated', message: 'invalid access token' });
        done(401);
        return;
      }
      readBody(request)
        .then((body) => envd.handle(sandbox, request, body, url, response))
        .then(
          (status) => (response.writableEnded ? done(status) : response.once('close', () => done(status))),
          (error: unknown) => {
            if (!response.headersSent) sendJson(response, 500, { code: 'internal', message: String(error) });
            done(500);
          },
        );
    }),
  );

  const listen = (server: Server) =>
    new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      ),
    );
  const [apiUrl, sandboxUrl] = await Promise.all([listen(apiServer), listen(envdServer)]);

  return {
    apiUrl,
    sandboxUrl,
    apiKey,
    record,
    sandboxes,
    snapshots,
    fail: (fault) => faults.push({ ...fault, times: fault.times ?? 1 }),
    vanish(sandboxId) {
      const sandbox = sandboxes.get(sandboxId);
      if (sandbox) destroy(sandbox);
    },
    async close() {
      for (const sandbox of [...sandboxes.values()]) destroy(sandbox);
      apiServer.closeAllConnections();
      envdServer.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => apiServer.close(resolve)),
        new Promise((resolve) => envdServer.close(resolve)),
      ]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
