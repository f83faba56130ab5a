import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { RunOutcome, RunProgress, TodoItem } from '../../runs/reporter.ts';
import { escapeMrkdwn, formatDuration, formatUsage, SLACK_LIMITS, truncate } from './slack-text.ts';

/** action_id of the status message's Cancel button; its value is the turn id. */
export const CANCEL_ACTION_ID = 'baton_cancel';
export const VIEW_RUN_ACTION_ID = 'baton_view_run';

/** What the status message shows, tagged on `kind`. */
export type StatusView =
  | { kind: 'queued'; position: number }
  | { kind: 'working'; progress: RunProgress | undefined; elapsedMs: number }
  | { kind: 'finished'; status: RunOutcome['status']; elapsedMs: number; tokens: number; costUsd: number };

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

const PLAN_MARK: Record<TodoItem['status'], string> = { pending: '☐', in_progress: '◐', done: '☑' };

const FINISHED_LINE: Record<RunOutcome['status'], string> = {
  succeeded: ':white_check_mark: *Done*',
  failed: ':x: *Failed*',
  cancelled: ':octagonal_sign: *Cancelled*',
  budget_exhausted: ':x: *Stopped: budget used up*',
  waiting: ':speech_balloon: *Waiting for your answer*',
};

function headline(view: StatusView): string {
  switch (view.kind) {
    case 'queued':
      return view.position > 0
        ? `:hourglass: *Queued* (position ${view.position}), I'll start when a worker is free.`
        : ':hourglass_flowing_sand: *Working on it*';
    case 'working': {
      const activity = view.progress?.activity;
      return `:hourglass_flowing_sand: *Working on it*${activity ? `\n_${escapeMrkdwn(truncate(activity, 300))}_` : ''}`;
    }
    case 'finished':
      return FINISHED_LINE[view.status];
  }
}

/** The plan as a checklist; the lines that do not fit say how many were left out. */
export function renderPlan(plan: readonly TodoItem[]): string | undefined {
  if (plan.length === 0) return undefined;
  const lines: string[] = [];
  let length = 0;
  for (const [index, item] of plan.entries()) {
    const text = escapeMrkdwn(truncate(item.text, 200));
    const line = `${PLAN_MARK[item.status]} ${item.status === 'in_progress' ? `*${text}*` : text}`;
    if (length + line.length + 40 > SLACK_LIMITS.sectionTextChars) {
      lines.push(`… and ${plan.length - index} more`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

function details(view: StatusView): string | undefined {
  switch (view.kind) {
    case 'queued':
      return undefined;
    case 'working': {
      const usage = view.progress ? ` · ${formatUsage(view.progress.tokens, view.progress.costUsd)}` : '';
      const step = view.progress ? ` · step ${view.progress.step}` : '';
      const environment = view.progress?.environment
        ? `\n${escapeMrkdwn(truncate(view.progress.environment, 300))}`
        : '';
      return `${formatDuration(view.elapsedMs)}${step}${usage}${environment}`;
    }
    case 'finished':
      return `${formatDuration(view.elapsedMs)} · ${formatUsage(view.tokens, view.costUsd)}`;
  }
}

function buttons(view: StatusView, turnId: string, runUrl: string | undefined): Button[] {
  const list: Button[] = [];
  if (view.kind !== 'finished') {
    list.push({
      type: 'button',
      action_id: CANCEL_ACTION_ID,
      value: turnId,
      style: 'danger',
      text: { type: 'plain_text', text: 'Cancel' },
      confirm: {
        title: { type: 'plain_text', text: 'Cancel this run?' },
        text: { type: 'plain_text', text: 'Work done so far stays on its branch.' },
        confirm: { type: 'plain_text', text: 'Cancel run' },
        deny: { type: 'plain_text', text: 'Keep going' },
      },
    });
  }
  if (runUrl) {
    list.push({
      type: 'button',
      action_id: VIEW_RUN_ACTION_ID,
      url: runUrl,
      text: { type: 'plain_text', text: 'View run' },
    });
  }
  return list;
}

/** The status message: headline, plan, elapsed/tokens/cost, and Cancel / View run buttons. */
export function renderStatus(input: { view: StatusView; turnId: string; runUrl?: string }): RenderedMessage {
  const { view } = input;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: headline(view) } }];
  const plan = view.kind === 'working' ? renderPlan(view.progress?.plan ?? []) : undefined;
  if (plan) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: plan } });
  const line = details(view);
  if (line) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: line }] });
  const actions = buttons(view, input.turnId, input.runUrl);
  if (actions.length > 0)
    blocks.push({
      type: 'actions',
      block_id: 'baton_status_actions',
      elements: actions,
    } satisfies ActionsBlock);
  const fallback = headline(view).split('\n')[0]?.replace(/[*_]/g, '') ?? 'Baton';
  return { text: fallback, blocks };
}
