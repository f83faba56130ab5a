import type { Item } from '../runs/items.ts';
import type { RunSummary } from '../store/run-queries.ts';
import type { UndeliveredFinal } from '../store/types.ts';
import { escapeHtml, type PageViewer, page } from './html.ts';
import { latestPlan, renderPlan, renderTimeline } from './render-items.ts';
import { duration, timeElement } from './time.ts';

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['queued', 'running']);
export const RETRYABLE_STATUSES: ReadonlySet<string> = new Set(['failed', 'cancelled', 'budget_exhausted']);

export interface OriginLink {
  label: string;
  url?: string;
}

export function statusBadge(status: string): string {
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(status.replace('_', ' '))}</span>`;
}

export function taskOf(run: RunSummary): string {
  const request = run.turn.request as { task?: unknown; text?: unknown };
  const text =
    typeof request.task === 'string' ? request.task : typeof request.text === 'string' ? request.text : '';
  return text.split('\n')[0]?.slice(0, 120) ?? '';
}

export function requesterOf(run: RunSummary): string {
  const requester = run.turn.request.requester as { id?: unknown; name?: unknown } | undefined;
  const name = typeof requester?.name === 'string' ? requester.name : undefined;
  const id = run.turn.requesterId ?? (typeof requester?.id === 'string' ? requester.id : undefined);
  if (name && id && name !== id) return `${name} (${id})`;
  return name ?? id ?? 'command line';
}

/** The W3C trace id of the request, when one was stored with it. */
export function traceIdOf(run: RunSummary): string | undefined {
  const request = run.turn.request as { traceId?: unknown; traceparent?: unknown };
  if (typeof request.traceId === 'string') return request.traceId;
  if (typeof request.traceparent === 'string')
    return /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(request.traceparent)?.[1];
  return undefined;
}

/** The pull request's state as the run's last `open-pr` step recorded it. */
function pullRequestState(items: readonly Item[]): string | undefined {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const payload = items[index]?.payload;
    if (payload?.type === 'middleware_step' && payload.name === 'open-pr')
      return `${payload.status}: ${payload.summary}`;
  }
  return undefined;
}

const link = (url: string, text: string) =>
  /^https?:\/\//.test(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>` : escapeHtml(text);

export interface RunView {
  run: RunSummary;
  items: readonly Item[];
  origin: OriginLink;
  /** Set when Baton gave up posting this run's final reply. */
  undeliveredFinal?: UndeliveredFinal;
  /** Its state on GitHub now, when it could be read. */
  pullRequestState?: string;
  canControl: boolean;
  csrf: string;
  now: number;
}

/** The facts and controls: re-rendered and swapped in while the run is live. */
export function renderFacts(view: RunView): string {
  const { run, items } = view;
  const { turn, thread } = run;
  const row = (term: string, value: string) => `<dt>${term}</dt><dd>${value}</dd>`;
  const traceId = traceIdOf(run);
  const prState = pullRequestState(items);
  const facts = [
    row('Status', statusBadge(turn.status)),
    row('Origin', view.origin.url ? link(view.origin.url, view.origin.label) : escapeHtml(view.origin.label)),
    row('Requester', escapeHtml(requesterOf(run))),
    row('Repository', escapeHtml(thread.repo)),
    row(
      'Branch',
      `<code>${escapeHtml(thread.branch)}</code> · <a href="/runs/${encodeURIComponent(turn.id)}/diff">diff</a>`,
    ),
    row(
      'Pull request',
      thread.pullRequestUrl
        ? `${link(thread.pullRequestUrl, thread.pullRequestUrl)}${view.pullRequestState ? ` ${statusBadge(view.pullRequestState)}` : ''}${prState ? ` <span class="muted">(${escapeHtml(prState)})</span>` : ''}`
        : '<span class="muted">none yet</span>',
    ),
    row('Started', timeElement(turn.startedAt, view.now)),
    row(
      'Duration',
      `${duration(turn.startedAt, turn.completedAt, view.now)}${turn.completedAt ? '' : ' so far'}`,
    ),
    row('Tokens', String(turn.tokens)),
    row('Cost', `$${turn.costUsd.toFixed(4)}`),
    ...(traceId ? [row('Trace id', `<code>${escapeHtml(traceId)}</code>`)] : []),
    ...(turn.error ? [row('Error', `<strong>${escapeHtml(turn.error)}</strong>`)] : []),
    ...(turn.cancelRequestedAt
      ? [row('Cancel', `requested by ${escapeHtml(turn.cancelRequestedBy ?? 'someone')}`)]
      : []),
  ].join('');
  return `<div id="facts"><dl class="facts">${facts}</dl>${renderControls(view)}</div>`;
}

function renderControls(view: RunView): string {
  const { turn } = view.run;
  const base = `/runs/${encodeURIComponent(turn.id)}`;
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`;
  const buttons: string[] = [];
  if (view.canControl && ACTIVE_STATUSES.has(turn.status) && !turn.cancelRequestedAt)
    buttons.push(
      `<form method="post" action="${base}/cancel">${csrf}<button class="danger" type="submit">Cancel run</button></form>`,
    );
  if (view.canControl && RETRYABLE_STATUSES.has(turn.status))
    buttons.push(
      `<form method="post" action="${base}/retry">${csrf}<button class="primary" type="submit">Retry</button></form>`,
    );
  buttons.push(`<a class="button" href="${base}/items.jsonl" download>Download JSONL</a>`);
  return `<div class="controls">${buttons.join('')}</div>`;
}

/** A failed run's error, inline at the end of its timeline, with what to do next when the error says it. */
export function renderOutcomeError(view: RunView): string {
  const final = view.undeliveredFinal;
  const undelivered = final
    ? `<div id="undelivered-final" class="item error" role="alert"><h3>The final reply was not delivered</h3><p>Baton tried ${final.attempts} time${final.attempts === 1 ? '' : 's'} to post it to ${escapeHtml(final.origin)} and gave up${final.lastError ? `: ${escapeHtml(final.lastError)}` : ''}. The answer it would have posted:</p><pre>${escapeHtml(final.summary)}</pre></div>`
    : '';
  return undelivered + runError(view);
}

function runError(view: RunView): string {
  const { turn } = view.run;
  if (!turn.error || ACTIVE_STATUSES.has(turn.status)) return '';
  const hint = /\(([^()]*)\)\.?\s*$/.exec(turn.error)?.[1];
  return `<div id="outcome" class="item error" role="alert"><h3>Run ${escapeHtml(turn.status.replace('_', ' '))}</h3><pre>${escapeHtml(turn.error)}</pre>${hint ? `<p><strong>What to do:</strong> ${escapeHtml(hint)}</p>` : ''}</div>`;
}

/** One run: facts, controls, plan, then the timeline, which the browser keeps live over SSE. */
export function renderRunPage(view: RunView, viewer: PageViewer): string {
  const { turn } = view.run;
  const last = view.items.at(-1)?.sequence ?? 0;
  const live = ACTIVE_STATUSES.has(turn.status);
  const body =
    `<h1>${escapeHtml(taskOf(view.run) || `Run ${turn.id}`)}</h1>` +
    renderFacts(view) +
    `<div id="plan">${renderPlan(latestPlan(view.items))}</div>` +
    `<h2>Timeline ${live ? '<span class="muted" id="live-state" aria-live="polite">live</span>' : ''}</h2>` +
    `<div id="timeline" data-stream="${live ? `/runs/${encodeURIComponent(turn.id)}/events` : ''}" data-after="${last}">${renderTimeline(view.items)}</div>` +
    renderOutcomeError(view);
  return page({ title: taskOf(view.run) || `Run ${turn.id}`, body, viewer });
}
