import type { Item } from '../runs/items.ts';
import type { ThreadRecord, TurnRecord } from '../store/types.ts';
import { escapeHtml, page } from './html.ts';

export interface RunSummary {
  turn: TurnRecord;
  thread: ThreadRecord;
}

const ACTIVE = new Set(['queued', 'running']);

function statusBadge(status: string): string {
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

function taskOf(turn: TurnRecord): string {
  const request = turn.request as { task?: unknown; text?: unknown };
  const text =
    typeof request.task === 'string' ? request.task : typeof request.text === 'string' ? request.text : '';
  return text.split('\n')[0]?.slice(0, 120) ?? '';
}

/** The list of recent runs, newest first; refreshes itself while any is active. */
export function renderRunsPage(runs: readonly RunSummary[]): string {
  const rows = runs
    .map(
      ({ turn, thread }) =>
        `<tr><td><a href="/runs/${escapeHtml(turn.id)}">${escapeHtml(taskOf(turn) || turn.id)}</a></td>` +
        `<td>${statusBadge(turn.status)}</td><td>${escapeHtml(thread.repo)}</td><td>${escapeHtml(thread.branch)}</td>` +
        `<td>${escapeHtml(turn.startedAt)}</td><td>${turn.tokens}</td><td>$${turn.costUsd.toFixed(4)}</td></tr>`,
    )
    .join('');
  const table = runs.length
    ? `<table><thead><tr><th>Task</th><th>Status</th><th>Repository</th><th>Branch</th><th>Started</th><th>Tokens</th><th>Cost</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="muted">No runs yet. Mention Baton in Slack, label a Linear issue, or run <code>baton run</code>.</p>';
  const refresh = runs.some(({ turn }) => ACTIVE.has(turn.status)) ? 5 : undefined;
  return page('Runs', table, { refreshSeconds: refresh });
}

function describeItem(item: Item): { title: string; body: string } {
  const payload = item.payload;
  const scope = payload.scope === 'subagent' ? ' (subagent)' : '';
  switch (payload.type) {
    case 'user_message':
      return { title: `Message from ${payload.author ?? 'requester'}${scope}`, body: payload.text };
    case 'model_message': {
      const calls = payload.toolCalls.map((call) => `→ ${call.name}(${call.arguments})`).join('\n');
      return {
        title: `Model${scope} · ${payload.usage.inputTokens + payload.usage.outputTokens} tokens`,
        body: [payload.content ?? '', calls].filter(Boolean).join('\n'),
      };
    }
    case 'tool_call':
      return { title: `Tool call ${payload.name}${scope}`, body: payload.arguments };
    case 'tool_result':
      return {
        title: `Tool result ${payload.name}${payload.ok ? '' : ' (error)'}${scope}`,
        body: payload.output,
      };
    case 'middleware_step':
      return {
        title: `Step ${payload.name}: ${payload.status}`,
        body: [payload.summary, payload.output ?? ''].join('\n'),
      };
    case 'compaction':
      return { title: `Compaction (${payload.replacedMessages} messages)`, body: payload.summary };
    case 'status':
      return { title: 'Status', body: payload.text };
    case 'error':
      return { title: `Error ${payload.code}`, body: payload.message };
    case 'checkpoint':
      return {
        title: 'Checkpoint',
        body: `${payload.patch.length} characters of changes since ${payload.baseCommit.slice(0, 12)}`,
      };
    case 'environment':
      return {
        title: `Environment: ${payload.status}${payload.cached ? ' (from cache)' : ''} · ${(payload.durationMs / 1000).toFixed(1)} s`,
        body: [
          payload.commands.length > 0 ? `$ ${payload.commands.join('\n$ ')}` : payload.reason,
          payload.key ? `key ${payload.key}` : '',
          payload.deniedHosts.length > 0 ? `refused: ${payload.deniedHosts.join(', ')}` : '',
          payload.failure
            ? `${payload.failure.command}: exit ${payload.failure.exitCode}\n${payload.failure.outputTail}`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      };
  }
}

/** One run: its facts, then every item in order. */
export function renderRunPage(run: RunSummary, items: readonly Item[]): string {
  const { turn, thread } = run;
  const facts =
    `<table><tbody><tr><th>Status</th><td>${statusBadge(turn.status)}</td></tr>` +
    `<tr><th>Thread</th><td>${escapeHtml(thread.key)}</td></tr>` +
    `<tr><th>Repository</th><td>${escapeHtml(thread.repo)} · ${escapeHtml(thread.branch)}</td></tr>` +
    (thread.pullRequestUrl
      ? `<tr><th>Pull request</th><td><a href="${escapeHtml(thread.pullRequestUrl)}">${escapeHtml(thread.pullRequestUrl)}</a></td></tr>`
      : '') +
    `<tr><th>Usage</th><td>${turn.tokens} tokens · $${turn.costUsd.toFixed(4)}</td></tr>` +
    (turn.error ? `<tr><th>Error</th><td>${escapeHtml(turn.error)}</td></tr>` : '') +
    '</tbody></table>';
  const timeline = items
    .map((item) => {
      const { title, body } = describeItem(item);
      return `<div class="item"><h3>#${item.sequence} · ${escapeHtml(title)} <span class="muted">${escapeHtml(item.startedAt)}</span></h3><pre>${escapeHtml(body)}</pre></div>`;
    })
    .join('');
  return page(taskOf(turn) || `Run ${turn.id}`, `${facts}<h2>Timeline</h2>${timeline}`, {
    refreshSeconds: ACTIVE.has(turn.status) ? 5 : undefined,
  });
}
