import { randomBytes } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { prepareSandboxRoot } from './e2b-sandbox-process.ts';
import type { ApiFault, E2BRecord, FakeSandbox } from './e2b-state.ts';

/*
 * E2B's REST API as the SDK uses it (spec/openapi.yml of e2b-dev/E2B): POST /v2/sandboxes,
 * POST /v2/sandboxes/{id}/connect, DELETE /sandboxes/{id}, POST /sandboxes/{id}/timeout,
 * POST /sandboxes/{id}/pause, GET /v2/sandboxes?metadata=&state=, GET /sandboxes/{id},
 * POST /sandboxes/{id}/snapshots, GET /snapshots, DELETE /templates/{id}, GET /templates/aliases/{alias}.
 */

export const FAKE_ENVD_VERSION = '0.5.7';

export const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export function sendJson(
  response: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  if (body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export const apiError = (
  response: ServerResponse,
  code: number,
  message: string,
  headers?: Record<string, string>,
) => sendJson(response, code, { code, message }, headers);

export function createE2BApi(options: {
  apiKey: string;
  /** Host directory holding every sandbox's root and the snapshots. */
  base: string;
  record: E2BRecord;
  sandboxes: Map<string, FakeSandbox>;
  snapshots: Map<string, { snapshotID: string; names: string[]; sandboxID: string }>;
  faults: ApiFault[];
  templates: Set<string>;
}) {
  const { apiKey, base, record, sandboxes, snapshots, faults, templates } = options;

  const stopProcesses = (sandbox: FakeSandbox, signal: NodeJS.Signals) => {
    for (const entry of sandbox.processes.values()) {
      if (entry.child.pid) {
        try {
          process.kill(-entry.child.pid, signal);
        } catch {
          // Already gone.
        }
      }
    }
  };

  const destroy = (sandbox: FakeSandbox) => {
    clearTimeout(sandbox.timer);
    for (const entry of sandbox.processes.values()) {
      entry.listeners.clear();
      for (const cut of entry.cuts) cut();
    }
    stopProcesses(sandbox, 'SIGCONT');
    stopProcesses(sandbox, 'SIGKILL');
    sandboxes.delete(sandbox.sandboxID);
    rmSync(sandbox.root, { recursive: true, force: true });
  };

  const arm = (sandbox: FakeSandbox, timeoutSeconds: number) => {
    clearTimeout(sandbox.timer);
    sandbox.endAt = new Date(Date.now() + timeoutSeconds * 1000);
    // A running sandbox past its timeout is killed, as E2B does (autoPause is not offered here).
    sandbox.timer = setTimeout(() => sandbox.state === 'running' && destroy(sandbox), timeoutSeconds * 1000);
    sandbox.timer.unref();
  };

  const connection = (sandbox: FakeSandbox) => ({
    sandboxID: sandbox.sandboxID,
    templateID: sandbox.templateID,
    clientID: 'fake',
    envdVersion: FAKE_ENVD_VERSION,
    envdAccessToken: sandbox.envdAccessToken,
    domain: null,
  });

  const listed = (sandbox: FakeSandbox) => ({
    ...connection(sandbox),
    envdAccessToken: undefined,
    startedAt: sandbox.startedAt.toISOString(),
    endAt: sandbox.endAt.toISOString(),
    cpuCount: 2,
    memoryMB: 512,
    diskSizeMB: 1024,
    metadata: sandbox.metadata,
    state: sandbox.state,
  });

  const api = async (request: IncomingMessage, response: ServerResponse): Promise<number> => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = request.method ?? 'GET';
    const fault = faults.find((entry) => entry.method === method && url.pathname.startsWith(entry.path));
    if (fault) {
      fault.times -= 1;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      apiError(
        response,
        fault.status,
        fault.message ?? `scripted ${fault.status}`,
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
      );
      return fault.status;
    }
    if (request.headers['x-api-key'] !== apiKey) {
      apiError(response, 401, 'Invalid API key');
      return 401;
    }
    const body = await readBody(request);
    const json = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'v2') parts.shift();
    const [collection, id, action] = parts;
    const sandbox = id && collection === 'sandboxes' ? sandboxes.get(id) : undefined;

    if (collection === 'sandboxes' && !id && method === 'POST') {
      record.creates.push(json);
      const fromSnapshot = snapshots.get(String(json.templateID));
      if (!templates.has(String(json.templateID)) && !fromSnapshot) {
        apiError(response, 404, `template ${String(json.templateID)} not found`);
        return 404;
      }
      const sandboxID = `i${randomBytes(8).toString('hex')}`;
      const created: FakeSandbox = {
        sandboxID,
        templateID: String(json.templateID ?? 'base'),
        metadata: (json.metadata as Record<string, string>) ?? {},
        envVars: (json.envVars as Record<string, string>) ?? {},
        // E2B's default: internet on unless the request turns it off.
        allowInternetAccess: json.allow_internet_access !== false,
        envdAccessToken: randomBytes(16).toString('hex'),
        startedAt: new Date(),
        endAt: new Date(),
        state: 'running',
        root: join(base, sandboxID),
        processes: new Map(),
      };
      prepareSandboxRoot(created.root);
      if (fromSnapshot) {
        cpSync(join(base, 'snapshots', fromSnapshot.snapshotID), created.root, { recursive: true });
      }
      sandboxes.set(sandboxID, created);
      arm(created, typeof json.timeout === 'number' ? json.timeout : 300);
      sendJson(response, 201, connection(created));
      return 201;
    }
    if (collection === 'sandboxes' && !id && method === 'GET') {
      const wanted = new URLSearchParams(decodeURIComponent(url.searchParams.get('metadata') ?? ''));
      const states = (url.searchParams.get('state') ?? 'running,paused').split(',');
      const found = [...sandboxes.values()].filter(
        (entry) =>
          states.includes(entry.state) &&
          [...wanted.entries()].every(([key, value]) => entry.metadata[key] === value),
      );
      sendJson(response, 200, found.map(listed));
      return 200;
    }
    if (collection === 'templates' && id === 'aliases' && action && method === 'GET') {
      const known = templates.has(action) || snapshots.has(action);
      if (!known) apiError(response, 404, `template ${action} not found`);
      else sendJson(response, 200, { templateID: action, public: true });
      return known ? 200 : 404;
    }
    if (collection === 'snapshots' && method === 'GET') {
      sendJson(
        response,
        200,
        [...snapshots.values()].map(({ snapshotID, names }) => ({ snapshotID, names })),
      );
      return 200;
    }
    if (collection === 'templates' && id && method === 'DELETE') {
      const found = snapshots.delete(id);
      rmSync(join(base, 'snapshots', id), { recursive: true, force: true });
      if (!found) apiError(response, 404, `template ${id} not found`);
      else sendJson(response, 204);
      return found ? 204 : 404;
    }
    if (collection !== 'sandboxes' || !sandbox) {
      apiError(response, 404, `sandbox ${id ?? ''} not found`);
      return 404;
    }
    switch (`${method} ${action ?? ''}`) {
      case 'GET ':
        sendJson(response, 200, { ...listed(sandbox), allowInternetAccess: sandbox.allowInternetAccess });
        return 200;
      case 'DELETE ':
        record.killed.push(sandbox.sandboxID);
        destroy(sandbox);
        sendJson(response, 204);
        return 204;
      case 'POST timeout':
        arm(sandbox, Number(json.timeout));
        sendJson(response, 204);
        return 204;
      case 'POST pause':
        if (sandbox.state === 'paused') {
          apiError(response, 409, 'sandbox is already paused');
          return 409;
        }
        sandbox.state = 'paused';
        clearTimeout(sandbox.timer);
        stopProcesses(sandbox, 'SIGSTOP');
        record.paused.push(sandbox.sandboxID);
        sendJson(response, 204);
        return 204;
      case 'POST connect':
      case 'POST resume': {
        const wasPaused = sandbox.state === 'paused';
        if (wasPaused) {
          sandbox.state = 'running';
          stopProcesses(sandbox, 'SIGCONT');
          record.resumed.push(sandbox.sandboxID);
        }
        arm(sandbox, typeof json.timeout === 'number' ? json.timeout : 300);
        sendJson(response, wasPaused ? 201 : 200, connection(sandbox));
        return wasPaused ? 201 : 200;
      }
      case 'POST snapshots': {
        const snapshotID = `snap-${randomBytes(6).toString('hex')}`;
        cpSync(sandbox.root, join(base, 'snapshots', snapshotID), { recursive: true });
        const names = typeof json.name === 'string' ? [json.name] : [snapshotID];
        snapshots.set(snapshotID, { snapshotID, names, sandboxID: sandbox.sandboxID });
        for (const name of names) snapshots.set(name, { snapshotID, names, sandboxID: sandbox.sandboxID });
        sendJson(response, 201, { snapshotID, names });
        return 201;
      }
      default:
        apiError(response, 404, `no route ${method} ${url.pathname}`);
        return 404;
    }
  };

  return { handle: api, destroy };
}
