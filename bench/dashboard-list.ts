import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { seedRuns, startDashboardBenchServer } from '../tests/e2e/dashboard-only-server.ts';
import { formatMs, median, percentile, printFigure } from './stats.ts';

const RUNS = 10_000;
const REQUESTS = 60;

/** Milliseconds to the first byte of the answer, and to its end. */
function timeGet(url: string, who: string): Promise<{ firstByte: number; total: number; status: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstByte = 0;
    const outgoing = request(url, { headers: { 'x-forwarded-email': who } }, (response) => {
      response.once('data', () => {
        firstByte = performance.now() - start;
      });
      response.on('end', () =>
        resolve({ firstByte, total: performance.now() - start, status: response.statusCode ?? 0 }),
      );
      response.resume();
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The run list's first byte with 10,000 runs in the store: as an admin, as a person, filtered, searched, deep in the pages. */
export async function benchDashboardList(): Promise<void> {
  const server = await startDashboardBenchServer();
  try {
    await seedRuns(server.sql, RUNS);
    const cases: [string, string, string][] = [
      ['admin, first page', '/runs', 'admin@example.com'],
      ['person (own runs + grants)', '/runs', 'U7'],
      ['status + repository filter', '/runs?status=failed&repo=acme%2Frepo-3', 'admin@example.com'],
      ['search', '/runs?search=number%204242', 'admin@example.com'],
      [
        'an older page',
        `/runs?before=${encodeURIComponent(new Date(Date.now() - 20_000 * 60_000).toISOString())}_turn-5000`,
        'admin@example.com',
      ],
      ['usage, 30 days', '/runs/usage', 'admin@example.com'],
    ];
    let worstP95 = 0;
    for (const [name, path, who] of cases) {
      for (let index = 0; index < 5; index += 1) await timeGet(server.url(path), who);
      const firstBytes: number[] = [];
      const totals: number[] = [];
      // CPU time per request (server and client share this process): what the first byte costs on an idle core.
      const cpuBefore = process.cpuUsage();
      for (let index = 0; index < REQUESTS; index += 1) {
        const timing = await timeGet(server.url(path), who);
        if (timing.status !== 200) throw new Error(`${path} answered ${timing.status}`);
        firstBytes.push(timing.firstByte);
        totals.push(timing.total);
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuPerRequest = (cpu.user + cpu.system) / 1000 / REQUESTS;
      const p95 = percentile(firstBytes, 0.95);
      if (!path.startsWith('/runs/usage')) worstP95 = Math.max(worstP95, p95);
      printFigure(
        `list at ${RUNS} runs: ${name}`,
        {
          firstByteMedian: formatMs(median(firstBytes)),
          firstByteP95: formatMs(p95),
          totalP95: formatMs(percentile(totals, 0.95)),
          cpuPerRequest: formatMs(cpuPerRequest),
        },
        'first byte < 50 ms',
        p95 < 50,
      );
    }
    printFigure(
      'list first byte, worst p95 of the list cases',
      { p95: formatMs(worstP95) },
      '< 50 ms',
      worstP95 < 50,
    );
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDashboardList();
