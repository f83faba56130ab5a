import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import type { Item } from '../runs/items.ts';
import type { RunSummary } from '../store/run-queries.ts';
import { itemFragment, latestPlan, renderPlan } from './render-items.ts';
import { ACTIVE_STATUSES } from './render-run.ts';

const HEARTBEAT_MS = 15_000;

/** An open Server-Sent Events response; `send` is a no-op once the browser has gone. */
function openStream(request: IncomingMessage, response: ServerResponse) {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 2000\n\n');
  let open = true;
  request.on('close', () => {
    open = false;
  });
  return {
    get open() {
      return open && !response.destroyed;
    },
    send(event: string, data: unknown, id?: number) {
      if (!this.open) return;
      response.write(
        `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      );
    },
    comment(text: string) {
      if (this.open) response.write(`: ${text}\n\n`);
    },
    end() {
      open = false;
      response.end();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RunStreamOptions {
  turnId: string;
  /** The last sequence the page has (the `Last-Event-ID` of a reconnect, else the page's). */
  after: number;
  loadRun(): Promise<RunSummary | null>;
  loadItems(afterSequence: number): Promise<Item[]>;
  /** The facts block for the current state (items: every item, for the PR state). */
  renderFacts(run: RunSummary): Promise<string>;
  redact(text: string): string;
  pollMs: number;
  log: Logger;
}

/** Fingerprint of what the facts block shows, so it is re-sent only when it changed. */
const factsKey = (run: RunSummary) =>
  [
    run.turn.status,
    run.turn.tokens,
    run.turn.costUsd,
    run.turn.completedAt,
    run.turn.cancelRequestedAt,
    run.thread.pullRequestUrl,
  ].join('|');

/**
 * A run's new items as they are stored, then `end` when it finishes. Polls the store: the gateway and
 * the worker may be different processes, and a poll on an indexed read is cheap.
 */
export async function streamRun(
  request: IncomingMessage,
  response: ServerResponse,
  options: RunStreamOptions,
) {
  const stream = openStream(request, response);
  let after = options.after;
  let lastFacts = '';
  let lastBeat = Date.now();
  // Items are what people wait for: they are read every tick. The run's own row (status, tokens)
  // only when items came or every fifth tick, which halves the reads of a quiet page.
  let tick = 0;
  let finishedSeen = false;
  try {
    let run = await options.loadRun();
    while (stream.open && run) {
      const items = await options.loadItems(after);
      for (const item of items) {
        const fragment = itemFragment(item);
        const safe =
          fragment.kind === 'result'
            ? {
                ...fragment,
                html: options.redact(fragment.html),
                fallback: options.redact(fragment.fallback),
              }
            : { ...fragment, html: options.redact(fragment.html) };
        stream.send('item', safe, item.sequence);
        if (
          item.payload.type === 'tool_call' &&
          item.payload.name === 'todo' &&
          item.payload.scope !== 'subagent'
        )
          stream.send('plan', { html: options.redact(renderPlan(latestPlan([item]))) });
        after = item.sequence;
      }
      tick += 1;
      if (items.length > 0 || tick % 5 === 0) run = await options.loadRun();
      if (!run) break;
      const key = factsKey(run);
      if (key !== lastFacts) {
        lastFacts = key;
        stream.send('facts', { html: options.redact(await options.renderFacts(run)) });
      }
      if (!ACTIVE_STATUSES.has(run.turn.status)) {
        // Ends only after one more read of items that began after the run was seen finished:
        // the worker may have appended its last items between this tick's read and the run's.
        if (finishedSeen && items.length === 0) {
          stream.send('end', { status: run.turn.status });
          break;
        }
        finishedSeen = true;
        continue;
      }
      if (Date.now() - lastBeat > HEARTBEAT_MS) {
        stream.comment('keep-alive');
        lastBeat = Date.now();
      }
      await sleep(options.pollMs);
    }
  } catch (error) {
    options.log.warn({ err: error, turnId: options.turnId }, 'dashboard-stream-failed');
    stream.send('error', { message: 'The live view stopped; reload the page.' });
  }
  stream.end();
}

export interface ListStreamOptions {
  changeMarker(): Promise<string>;
  renderRows(): Promise<string>;
  redact(text: string): string;
  pollMs: number;
  log: Logger;
}

/** The list's rows again whenever a run starts, ends or moves on. */
export async function streamList(
  request: IncomingMessage,
  response: ServerResponse,
  options: ListStreamOptions,
) {
  const stream = openStream(request, response);
  let marker = await options.changeMarker().catch(() => '');
  let lastBeat = Date.now();
  try {
    while (stream.open) {
      await sleep(options.pollMs);
      const next = await options.changeMarker();
      if (next !== marker) {
        marker = next;
        stream.send('rows', { html: options.redact(await options.renderRows()) });
      } else if (Date.now() - lastBeat > HEARTBEAT_MS) {
        stream.comment('keep-alive');
        lastBeat = Date.now();
      }
    }
  } catch (error) {
    options.log.warn({ err: error }, 'dashboard-list-stream-failed');
  }
  stream.end();
}
