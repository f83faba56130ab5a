import type { RunFilters, RunSummary, RunUsage, UsageRow } from '../store/run-queries.ts';
import type { UndeliveredFinal } from '../store/types.ts';
import { escapeHtml, type PageViewer, page } from './html.ts';
import { requesterOf, statusBadge, taskOf } from './render-run.ts';
import { duration, timeElement } from './time.ts';

export const STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'waiting',
  'cancelled',
  'budget_exhausted',
];
export const ORIGINS = ['slack', 'linear', 'github', 'cli'];

export interface ListView {
  runs: readonly RunSummary[];
  filters: RunFilters;
  /** The cursor this page started after; unset on the first (newest) page. */
  before?: string;
  nextCursor?: string;
  repos: readonly string[];
  requesters: readonly string[];
  /** Final replies Baton gave up posting (first page only). */
  undelivered: readonly UndeliveredFinal[];
  now: number;
}

/** Replies that never reached their thread: the person still needs the answer, so they come first. */
export function renderUndelivered(finals: readonly UndeliveredFinal[], now: number): string {
  if (finals.length === 0) return '';
  const items = finals
    .map(
      (final) =>
        `<li><a href="/runs/${encodeURIComponent(final.turnId)}">${escapeHtml(final.summary.split('\n')[0]?.slice(0, 120) ?? final.turnId)}</a> <span class="muted">· ${escapeHtml(final.origin)} · ${final.attempts} attempt${final.attempts === 1 ? '' : 's'} · ${timeElement(final.createdAt, now)}${final.lastError ? ` · ${escapeHtml(final.lastError.slice(0, 200))}` : ''}</span></li>`,
    )
    .join('');
  return `<section class="notice error" role="alert" id="undelivered"><h2>Final replies not delivered (${finals.length})</h2><p>Baton gave up posting these answers where they were asked; the runs hold them.</p><ul>${items}</ul></section>`;
}

function options(values: readonly string[], selected: string | undefined, anyLabel: string): string {
  return [
    `<option value="">${anyLabel}</option>`,
    ...values.map(
      (value) =>
        `<option value="${escapeHtml(value)}"${value === selected ? ' selected' : ''}>${escapeHtml(value.replace('_', ' '))}</option>`,
    ),
  ].join('');
}

/** The query string of the current filters (and a page's cursor), for links that keep them. */
export function listQuery(filters: RunFilters, before?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (before) params.set('before', before);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The table's rows; also what the live list swaps in. */
export function renderRunRows(runs: readonly RunSummary[], now: number): string {
  if (runs.length === 0)
    return '<tr><td colspan="8" class="muted">No runs match. Mention Baton in Slack, label a Linear issue, or run <code>baton run</code>.</td></tr>';
  return runs
    .map((run) => {
      const { turn, thread } = run;
      const origin = typeof thread.origin.kind === 'string' ? thread.origin.kind : '';
      return `<tr><td><a href="/runs/${encodeURIComponent(turn.id)}">${escapeHtml(taskOf(run) || turn.id)}</a></td><td>${statusBadge(turn.status)}</td><td>${escapeHtml(thread.repo)}</td><td>${escapeHtml(requesterOf(run))}</td><td>${escapeHtml(origin)}</td><td>${timeElement(turn.startedAt, now)}</td><td class="num">${duration(turn.startedAt, turn.completedAt, now)}</td><td class="num">${turn.tokens} · $${turn.costUsd.toFixed(4)}</td></tr>`;
    })
    .join('');
}

export function renderRunsPage(view: ListView, viewer: PageViewer): string {
  const { filters } = view;
  const form = `<form class="filters" method="get" action="/runs" role="search">
<label>Search<input type="search" name="search" value="${escapeHtml(filters.search ?? '')}" placeholder="words of the request"></label>
<label>Status<select name="status">${options(STATUSES, filters.status, 'any')}</select></label>
<label>Repository<select name="repo">${options(view.repos, filters.repo, 'any')}</select></label>
<label>Requester<select name="requester">${options(view.requesters, filters.requester, 'anyone')}</select></label>
<label>Origin<select name="origin">${options(ORIGINS, filters.origin, 'any')}</select></label>
<button type="submit">Filter</button>${listQuery(filters) ? ' <a href="/runs">Clear</a>' : ''}</form>`;
  const pager = `<nav class="pager" aria-label="Pages">${view.before ? `<a href="/runs${listQuery(filters)}">← Newest</a>` : ''}${view.nextCursor ? `<a href="/runs${listQuery(filters, view.nextCursor)}" rel="next">Older →</a>` : ''}</nav>`;
  const table = `<table><caption class="muted" style="text-align:left">Newest first${view.before ? '' : '; updates live'}</caption><thead><tr><th scope="col">Request</th><th scope="col">Status</th><th scope="col">Repository</th><th scope="col">Requester</th><th scope="col">Origin</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Tokens · cost</th></tr></thead><tbody id="run-rows" data-live="${view.before ? '' : `/runs/events${listQuery(filters)}`}">${renderRunRows(view.runs, view.now)}</tbody></table>`;
  return page({
    title: 'Runs',
    body: `<h1>Runs</h1>${renderUndelivered(view.undelivered, view.now)}${form}${table}${pager}`,
    viewer,
  });
}

function usageTable(caption: string, keyLabel: string, rows: readonly UsageRow[]): string {
  const body = rows.length
    ? rows
        .map(
          (row) =>
            `<tr><th scope="row">${escapeHtml(row.key)}</th><td class="num">${row.runs}</td><td class="num">${row.runs ? Math.round((row.succeeded / row.runs) * 100) : 0}%</td><td class="num">${row.tokens}</td><td class="num">$${row.costUsd.toFixed(2)}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="5" class="muted">No runs in this period.</td></tr>';
  return `<h2>${caption}</h2><table><thead><tr><th scope="col">${keyLabel}</th><th scope="col" class="num">Runs</th><th scope="col" class="num">Success rate</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function renderUsagePage(usage: RunUsage, days: number, viewer: PageViewer): string {
  const choices = [7, 30, 90]
    .map((choice) =>
      choice === days
        ? `<strong>${choice} days</strong>`
        : `<a href="/runs/usage?days=${choice}">${choice} days</a>`,
    )
    .join(' · ');
  const body = `<h1>Usage</h1><p>Last ${choices} (UTC days).</p>${usageTable('By repository', 'Repository', usage.byRepo)}${usageTable('By requester', 'Requester', usage.byRequester)}${usageTable('By day', 'Day', usage.byDay)}`;
  return page({ title: 'Usage', body, viewer });
}
