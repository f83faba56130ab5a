import type { ServerResponse } from 'node:http';
import { describeError } from '../observability/errors.ts';
import { type BatonMetrics, PROMETHEUS_CONTENT_TYPE } from '../observability/metrics.ts';
import { redactSecrets } from '../observability/redact.ts';
import { sendJson, sendText } from './respond.ts';

/** Named dependency checks (`store`, `queue`): each resolves when reachable and throws when not. */
export type ReadinessChecks = Readonly<Record<string, () => Promise<unknown>>>;

/** The process is up and serving HTTP; says nothing about its dependencies. */
export function serveHealth(response: ServerResponse): void {
  sendJson(response, 200, { status: 'ok' });
}

type CheckResult = { name: string; ok: true } | { name: string; ok: false; error: string };

// A readiness answer ends up in load-balancer logs: no credentials, even inside a connection string.
const scrub = (text: string): string => redactSecrets(text).replace(/\/\/[^/@\s]+@/g, '//[redacted]@');

function withTimeout(check: () => Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([Promise.resolve().then(check), timeout]).finally(() => clearTimeout(timer));
}

async function runCheck(
  name: string,
  check: () => Promise<unknown>,
  timeoutMs: number,
): Promise<CheckResult> {
  try {
    await withTimeout(check, timeoutMs);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, error: scrub(describeError(error)) };
  }
}

/** 200 when every check passes, else 503 naming the ones that failed and why. */
export async function serveReadiness(
  response: ServerResponse,
  checks: ReadinessChecks,
  timeoutMs: number,
): Promise<void> {
  const results = await Promise.all(
    Object.entries(checks).map(([name, check]) => runCheck(name, check, timeoutMs)),
  );
  const failed = results.filter((result) => !result.ok).map((result) => result.name);
  const details = Object.fromEntries(results.map((result) => [result.name, result.ok ? 'ok' : result.error]));
  if (failed.length === 0) sendJson(response, 200, { status: 'ready', checks: details });
  else sendJson(response, 503, { status: 'unavailable', failed, checks: details });
}

export async function serveMetrics(response: ServerResponse, metrics: BatonMetrics): Promise<void> {
  sendText(response, 200, PROMETHEUS_CONTENT_TYPE, await metrics.registry.render());
}
