import type { Item } from '../runs/items.ts';
import { escapeHtml } from './html.ts';
import { exactTime } from './time.ts';

/** What the live stream sends for one item: a new timeline entry, or a result for the call already shown. */
export type ItemFragment =
  | { sequence: number; kind: 'append'; html: string }
  | { sequence: number; kind: 'result'; callId: string; ok: boolean; html: string; fallback: string };

const pre = (text: string) => `<pre>${escapeHtml(text)}</pre>`;
const scopeOf = (item: Item) => (item.payload.scope === 'subagent' ? ' · subagent' : '');
const at = (item: Item) =>
  `<span class="meta"> · <time datetime="${escapeHtml(item.startedAt)}" title="${escapeHtml(exactTime(item.startedAt))}">${escapeHtml(item.startedAt.slice(11, 19))}</time>${scopeOf(item)}</span>`;

/** A short, one-line view of a tool call's JSON arguments for its summary. */
function argumentsPreview(text: string): string {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') {
      const parts = Object.entries(parsed as Record<string, unknown>).map(
        ([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
      );
      const line = parts.join(', ').replace(/\s+/g, ' ');
      return line.length > 100 ? `${line.slice(0, 99)}…` : line;
    }
  } catch {
    // Arguments the model got wrong are shown as they came.
  }
  return text.slice(0, 100);
}

function prettyArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A tool's result, folded under its call. */
export function renderToolResult(item: Item): string {
  if (item.payload.type !== 'tool_result') return '';
  const { ok, output } = item.payload;
  return `<div class="result ${ok ? 'ok' : 'failed'}" data-result-for="${escapeHtml(item.payload.callId)}"><strong>${ok ? 'Result' : 'Failed'}</strong>${pre(output)}</div>`;
}

function renderToolCall(item: Item, result: Item | undefined): string {
  if (item.payload.type !== 'tool_call') return '';
  const { callId, name, arguments: args } = item.payload;
  const failed = result?.payload.type === 'tool_result' && !result.payload.ok;
  const state = result
    ? failed
      ? ' <span class="status status-failed">failed</span>'
      : ''
    : ' <span class="status status-running">running</span>';
  return `<details class="item tool" data-sequence="${item.sequence}" data-call-id="${escapeHtml(callId)}"${failed ? ' open' : ''}><summary>${escapeHtml(name)} <span class="meta">${escapeHtml(argumentsPreview(args))}</span>${state}${at(item)}</summary>${pre(prettyArguments(args))}${result ? renderToolResult(result) : '<div class="result pending muted">waiting for the result…</div>'}</details>`;
}

/** Every item but tool calls and results, which are rendered as a pair. */
function renderSingle(item: Item): string {
  const payload = item.payload;
  const open = (title: string, body: string, extra = '') =>
    `<div class="item${extra}" data-sequence="${item.sequence}"><h3>${title}${at(item)}</h3>${body}</div>`;
  switch (payload.type) {
    case 'user_message':
      return open(`Message from ${escapeHtml(payload.author ?? 'the requester')}`, pre(payload.text));
    case 'model_message': {
      const tokens = payload.usage.inputTokens + payload.usage.outputTokens;
      const calls = payload.toolCalls.length
        ? `, ${payload.toolCalls.length} tool call${payload.toolCalls.length > 1 ? 's' : ''}`
        : '';
      return open(
        `Model <span class="meta">${tokens} tokens${calls}</span>`,
        payload.content ? pre(payload.content) : '',
      );
    }
    case 'middleware_step': {
      const failed = !['passed', 'ok', 'succeeded', 'skipped', 'done'].includes(payload.status);
      return `<details class="item step${failed ? ' error' : ''}" data-sequence="${item.sequence}"${failed ? ' open' : ''}><summary>Step ${escapeHtml(payload.name)}: <span class="status status-${failed ? 'failed' : 'succeeded'}">${escapeHtml(payload.status)}</span> <span class="meta">${escapeHtml(payload.summary)}</span>${at(item)}</summary>${payload.output ? pre(payload.output) : '<p class="muted">No output.</p>'}</details>`;
    }
    case 'compaction':
      return `<details class="item" data-sequence="${item.sequence}"><summary>History compacted <span class="meta">${payload.replacedMessages} messages</span>${at(item)}</summary>${pre(payload.summary)}</details>`;
    case 'status':
      return open(`<span class="muted">${escapeHtml(payload.text)}</span>`, '');
    case 'error': {
      const hint = /\(([^()]*)\)$/.exec(payload.message)?.[1];
      return open(
        `Error <code>${escapeHtml(payload.code)}</code>`,
        `${pre(payload.message)}${hint ? `<p><strong>What to do:</strong> ${escapeHtml(hint)}</p>` : ''}`,
        ' error" role="alert',
      );
    }
    case 'checkpoint':
      return open(
        `<span class="muted">Checkpoint: ${payload.patch.length} characters of changes since ${escapeHtml(payload.baseCommit.slice(0, 12))}</span>`,
        '',
      );
    case 'environment': {
      const failed = payload.status === 'failed';
      const title = `Environment: <span class="status status-${failed ? 'failed' : 'succeeded'}">${escapeHtml(payload.status)}</span> <span class="meta">${payload.cached ? 'from cache · ' : ''}${(payload.durationMs / 1000).toFixed(1)} s · ${escapeHtml(payload.reason)}</span>`;
      const body = [
        payload.commands.length > 0 ? pre(`$ ${payload.commands.join('\n$ ')}`) : '',
        payload.key ? `<p class="muted">key <code>${escapeHtml(payload.key)}</code></p>` : '',
        payload.deniedHosts.length > 0
          ? `<p><strong>Refused hosts:</strong> ${escapeHtml(payload.deniedHosts.join(', '))}</p>`
          : '',
        payload.scrubbed?.length
          ? `<p><strong>Setup secrets scrubbed:</strong> ${escapeHtml(payload.scrubbed.join(', '))}</p>`
          : '',
        payload.failure
          ? `<p><strong>${escapeHtml(payload.failure.command)}</strong>: ${payload.failure.timedOut ? 'timed out' : `exit ${payload.failure.exitCode}`}</p>${pre(payload.failure.outputTail)}`
          : '',
      ].join('');
      return `<details class="item step${failed ? ' error' : ''}" data-sequence="${item.sequence}"${failed ? ' open' : ''}><summary>${title}${at(item)}</summary>${body || '<p class="muted">Nothing to set up.</p>'}</details>`;
    }
    case 'tool_call':
    case 'tool_result':
      return '';
    default:
      return renderUnknown(item);
  }
}

/** Items of kinds newer than this page (environment setup and the like): their fields as they are. */
function renderUnknown(item: Item): string {
  const { type, ...rest } = item.payload as { type: string } & Record<string, unknown>;
  return `<details class="item" data-sequence="${item.sequence}"><summary>${escapeHtml(type)}${at(item)}</summary>${pre(JSON.stringify(rest, null, 2))}</details>`;
}

/** The whole timeline: each tool call once, with its result folded beneath it. */
export function renderTimeline(items: readonly Item[]): string {
  const results = new Map<string, Item>();
  for (const item of items) if (item.payload.type === 'tool_result') results.set(item.payload.callId, item);
  const calls = new Set(
    items.flatMap((item) => (item.payload.type === 'tool_call' ? [item.payload.callId] : [])),
  );
  return items
    .map((item) => {
      if (item.payload.type === 'tool_call') return renderToolCall(item, results.get(item.payload.callId));
      if (item.payload.type === 'tool_result')
        return calls.has(item.payload.callId) ? '' : renderOrphanResult(item);
      return renderSingle(item);
    })
    .join('');
}

function renderOrphanResult(item: Item): string {
  return `<div class="item" data-sequence="${item.sequence}"><h3>Result of ${escapeHtml(item.payload.type === 'tool_result' ? item.payload.name : '')}${at(item)}</h3>${renderToolResult(item)}</div>`;
}

/** One item for the live stream. A result carries its fallback, for a page that does not show its call. */
export function itemFragment(item: Item): ItemFragment {
  if (item.payload.type === 'tool_call')
    return { sequence: item.sequence, kind: 'append', html: renderToolCall(item, undefined) };
  if (item.payload.type === 'tool_result')
    return {
      sequence: item.sequence,
      kind: 'result',
      callId: item.payload.callId,
      ok: item.payload.ok,
      html: renderToolResult(item),
      fallback: renderOrphanResult(item),
    };
  return { sequence: item.sequence, kind: 'append', html: renderSingle(item) };
}

export interface PlanStep {
  text: string;
  status: string;
}

/** The plan as the `todo` tool last set it. */
export function latestPlan(items: readonly Item[]): PlanStep[] {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const payload = items[index]?.payload;
    if (payload?.type !== 'tool_call' || payload.name !== 'todo' || payload.scope === 'subagent') continue;
    try {
      const parsed = JSON.parse(payload.arguments) as { items?: unknown };
      if (!Array.isArray(parsed.items)) continue;
      return parsed.items.flatMap((step: unknown) => {
        const { text, status } = (step ?? {}) as { text?: unknown; status?: unknown };
        return typeof text === 'string' && typeof status === 'string' ? [{ text, status }] : [];
      });
    } catch {}
  }
  return [];
}

const MARKS: Record<string, string> = { pending: '[ ]', in_progress: '[~]', done: '[x]' };

export function renderPlan(plan: readonly PlanStep[]): string {
  if (plan.length === 0) return '';
  const done = plan.filter((step) => step.status === 'done').length;
  return `<h2>Plan <span class="muted">${done}/${plan.length} done</span></h2><ul class="plan">${plan
    .map(
      (step) =>
        `<li data-mark="${MARKS[step.status] ?? '[ ]'}">${escapeHtml(step.text)}<span class="muted"> (${escapeHtml(step.status.replace('_', ' '))})</span></li>`,
    )
    .join('')}</ul>`;
}
