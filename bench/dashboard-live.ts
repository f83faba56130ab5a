import { setTimeout as sleep } from 'node:timers/promises';
import { launchBrowser } from '../tests/e2e/browser.ts';
import { startDashboardBenchServer } from '../tests/e2e/dashboard-only-server.ts';
import { formatMs, median, percentile, printFigure } from './stats.ts';

const ITEMS = 150;

/**
 * Item → browser over Server-Sent Events: a run page open in headless Chromium, items appended to the
 * store at irregular intervals, each timed from the append to its node appearing in the page's DOM.
 */
export async function benchDashboardLive(): Promise<void> {
  const server = await startDashboardBenchServer();
  const browser = await launchBrowser();
  try {
    const { store } = server;
    const thread = await store.upsertThread({
      key: 'slack:T1:C1:1.000100',
      origin: { kind: 'slack', teamId: 'T1', channelId: 'C1', threadTs: '1.000100' },
      repo: 'acme/api',
      branch: 'baton/bench',
    });
    const created = await store.createQueuedTurn({
      threadId: thread.id,
      request: { text: 'stream bench', requester: { id: 'U1' }, origin: { kind: 'slack' } },
      requesterId: 'U1',
    });
    await store.updateTurn(created.turn.id, { status: 'running' });
    await browser.context.setExtraHTTPHeaders({ 'x-forwarded-email': 'admin@example.com' });
    const page = await browser.context.newPage();
    await page.goto(server.url(`/runs/${created.turn.id}`));
    await page.evaluate(`
      window.arrivals = {};
      new MutationObserver((records) => {
        const at = Date.now();
        for (const record of records) for (const node of record.addedNodes)
          if (node.dataset && node.dataset.sequence) window.arrivals[node.dataset.sequence] = at;
      }).observe(document.getElementById('timeline'), { childList: true });
    `);
    await sleep(500);
    const appended = new Map<number, number>();
    for (let index = 0; index < ITEMS; index += 1) {
      const at = Date.now();
      const item = await store.appendItem(
        created.turn.id,
        { type: 'status', text: `step ${index}` },
        { completed: true },
      );
      appended.set(item.sequence, at);
      await sleep(10 + ((index * 37) % 90));
    }
    await sleep(1000);
    const arrivals = (await page.evaluate('window.arrivals')) as Record<string, number>;
    const latencies = [...appended].flatMap(([sequence, at]) => {
      const arrived = arrivals[String(sequence)];
      return arrived === undefined ? [] : [arrived - at];
    });
    const p95 = percentile(latencies, 0.95);
    printFigure(
      'item → browser over SSE',
      {
        items: `${latencies.length}/${ITEMS}`,
        median: formatMs(median(latencies)),
        p95: formatMs(p95),
        max: formatMs(Math.max(...latencies)),
      },
      'p95 < 200 ms, every item',
      p95 < 200 && latencies.length === ITEMS,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDashboardLive();
