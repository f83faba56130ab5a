import type { Config } from '../config/schema.ts';
import { createGitHubReporter } from '../integrations/github/reporter.ts';
import { createLinearReporter } from '../integrations/linear/index.ts';
import { createSlackReporter, type SlackReporter } from '../integrations/slack/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { BatonMetrics } from '../observability/metrics.ts';
import type { KnownSecrets } from '../observability/redact.ts';
import type { FinalDeliveryResult } from '../runs/deliver-once.ts';
import type { QueuedRequest } from '../runs/queued-request.ts';
import type { Reporter } from '../runs/reporter.ts';
import { finalLedgerFor, reporterStateFor } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import type { Integrations } from './compose-integrations.ts';

/** A reporter that can also say "seen, queued" right after the ack (Slack's 👀 and status message). */
export type TurnReporter = Reporter & { acknowledge?: SlackReporter['acknowledge'] };

export interface ReporterFactoryOptions {
  config: Config;
  integrations: Integrations;
  store: Store;
  secrets: KnownSecrets;
  log: Logger;
  /** Counts final replies that could not be delivered (yet), by origin. */
  metrics?: BatonMetrics;
}

/** Picks the reporter for a request's origin: its thread, issue or pull request. */
export function createReporterFactory(options: ReporterFactoryOptions) {
  const { config, integrations, store, log } = options;
  const runUrl = (turnId: string) =>
    config.server.publicBaseUrl
      ? `${config.server.publicBaseUrl.replace(/\/$/, '')}/runs/${turnId}`
      : undefined;
  const policy = { ...config.runs.finals };
  const finalsFor = (turnId: string, origin: string) => ({
    finals: finalLedgerFor(store, turnId, { origin, policy }),
    // Each failed attempt counts (retried or given up); given-up finals are listed by the store.
    onFinalResult: (result: FinalDeliveryResult) => {
      if (result === 'retrying' || result === 'undelivered')
        options.metrics?.undeliveredFinals.inc({ origin });
    },
  });
  return (request: QueuedRequest, turnId: string): TurnReporter => {
    const origin = request.origin;
    switch (origin.kind) {
      case 'slack':
        if (!integrations.slack) return createLogReporter(log, 'Slack is not configured');
        return createSlackReporter({
          client: integrations.slack,
          origin,
          turnId,
          state: reporterStateFor(store, turnId, undefined, { origin: 'slack', policy }),
          onFinalResult: finalsFor(turnId, 'slack').onFinalResult,
          publicBaseUrl: config.server.publicBaseUrl,
          statusRefreshMs: config.slack.statusRefreshMs,
          secrets: options.secrets,
          log,
        });
      case 'linear':
        if (!integrations.linear) return createLogReporter(log, 'Linear is not configured');
        return createLinearReporter({
          client: integrations.linear,
          issueId: origin.issueId,
          agentSessionId: origin.agentSessionId,
          config: config.linear,
          secrets: options.secrets,
          log,
          turnId,
          ...finalsFor(turnId, 'linear'),
        });
      case 'github': {
        const github = integrations.github;
        if (!github) return createLogReporter(log, 'GitHub is not configured');
        return createGitHubReporter({
          octokitFor: github.client.octokitFor,
          repo: origin.repo,
          number: origin.number,
          commentId: origin.commentId,
          commentKind: origin.commentKind,
          secrets: options.secrets,
          mention: config.github.mention,
          runUrl,
          log,
          turnId,
          ...finalsFor(turnId, 'github'),
        });
      }
      case 'cli':
        return createLogReporter(log, 'a CLI request reached the server');
    }
  };
}

/** When an origin's service is not configured, the run still ends in the logs rather than nowhere. */
function createLogReporter(log: Logger, reason: string): Reporter {
  return {
    start: async (info) => log.warn({ runId: info.runId, reason }, 'run has no reply channel'),
    progress: () => undefined,
    reply: async (text) => log.info({ text }, 'run reply (no reply channel)'),
    ask: async () => ({ type: 'deferred' }),
    finish: async (outcome) =>
      log.warn(
        { status: outcome.status, summary: outcome.summary, reason },
        'run finished (no reply channel)',
      ),
  };
}
