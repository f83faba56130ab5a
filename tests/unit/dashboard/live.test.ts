import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { streamRun } from '../../../src/dashboard/live.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import type { Item } from '../../../src/runs/items.ts';
import type { RunSummary } from '../../../src/store/run-queries.ts';

const log = createLogger({ level: 'silent' });

const run = (status: RunSummary['turn']['status']): RunSummary => ({
  turn: {
    id: 'turn-1',
    threadId: 'thread-1',
    status,
    request: {},
    tokens: 0,
    costUsd: 0,
    error: null,
    startedAt: '2026-12-04T19:00:00.000Z',
    completedAt: status === 'running' ? null : '2026-12-04T19:01:00.000Z',
    requesterId: 'U1',
    queuedAt: null,
    claimedBy: null,
    attempt: 1,
    heartbeatAt: null,
    cancelRequestedAt: null,
    cancelRequestedBy: null,
  },
  thread: {
    id: 'thread-1',
    key: 'k',
    origin: {},
    repo: 'acme/api',
    branch: 'baton/x',
    pullRequestUrl: null,
    createdAt: '',
  },
});

const statusItem = (sequence: number, text: string): Item => ({
  id: `item-${sequence}`,
  turnId: 'turn-1',
  sequence,
  payload: { type: 'status', text },
  startedAt: '2026-12-04T19:00:00.000Z',
  completedAt: null,
});

/** Serves one stream and returns the events the client read until the server ended it. */
async function readStream(
  options: Omit<Parameters<typeof streamRun>[2], 'turnId' | 'log' | 'pollMs' | 'redact' | 'renderFacts'>,
) {
  const server = createServer((request, response) =>
    streamRun(request, response, {
      ...options,
      turnId: 'turn-1',
      renderFacts: async (current) => `<div id="facts">${current.turn.status}</div>`,
      redact: (text) => text.replaceAll('sk-secret', '[redacted]'),
      pollMs: 5,
      log,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((block) => block.includes('event: '))
      .map((block) => ({
        event: /event: (.+)/.exec(block)?.[1],
        id: /id: (.+)/.exec(block)?.[1],
        data: JSON.parse(/data: (.+)/.exec(block)?.[1] ?? '{}') as Record<string, unknown>,
      }));
  } finally {
    server.close();
  }
}

describe('the run page’s live stream', () => {
  it('sends items that land just before the run finishes, then ends', async () => {
    // The worker appends its last item between the stream's read of items and its read of the run.
    const stored: Item[] = [statusItem(1, 'started')];
    let runReads = 0;
    const events = await readStream({
      after: 0,
      loadItems: async (after) => stored.filter((item) => item.sequence > after),
      loadRun: async () => {
        runReads += 1;
        // The third read comes on a tick whose read of items found nothing new.
        if (runReads === 3) stored.push(statusItem(2, 'last words with sk-secret'));
        return run(runReads >= 3 ? 'succeeded' : 'running');
      },
    });
    const names = events.map((event) => event.event);
    expect(names.filter((name) => name === 'item')).toHaveLength(2);
    expect(names.at(-1)).toBe('end');
    expect(names.indexOf('end')).toBeGreaterThan(names.lastIndexOf('item'));
    expect(events.filter((event) => event.event === 'item').map((event) => event.id)).toEqual(['1', '2']);
    const last = events.filter((event) => event.event === 'item').at(-1);
    expect(String(last?.data.html)).toContain('[redacted]');
    expect(JSON.stringify(events)).not.toContain('sk-secret');
    expect(events.find((event) => event.event === 'end')?.data).toEqual({ status: 'succeeded' });
  });

  it('resumes after the last event id it was given and ends at once for a finished run', async () => {
    const stored = [statusItem(1, 'a'), statusItem(2, 'b'), statusItem(3, 'c')];
    const events = await readStream({
      after: 2,
      loadItems: async (after) => stored.filter((item) => item.sequence > after),
      loadRun: async () => run('failed'),
    });
    expect(events.filter((event) => event.event === 'item').map((event) => event.id)).toEqual(['3']);
    expect(events.map((event) => event.event)).toEqual(['item', 'facts', 'end']);
  });

  it('ends quietly when the run disappears', async () => {
    const events = await readStream({ after: 0, loadItems: async () => [], loadRun: async () => null });
    expect(events).toEqual([]);
  });
});
