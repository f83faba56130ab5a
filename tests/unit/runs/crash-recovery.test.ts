import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createIntake } from '../../../src/runs/intake.ts';
import type { Item } from '../../../src/runs/items.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { createSchemaPool, openDatabase, slackRequest, startQueue, waitFor } from './durable-harness.ts';

// pg-boss fails a job whose worker has not heartbeated for heartbeatSeconds (10, its minimum) and
// the next worker then claims the turn once the store heartbeat is stale too: ~10–25 s per recovery.
const RECOVERY_MS = 60_000;
const STEPS = 8;
const fixture = join(import.meta.dirname, '../../fixtures/worker-process.ts');

interface WorkerEvent {
  workerId: string;
  event: string;
  turnId?: string;
  resumed?: boolean;
  step?: number;
}

interface WorkerProcess {
  child: ChildProcess;
  events: WorkerEvent[];
  exited: Promise<void>;
}

const children: ChildProcess[] = [];
const schemas = createSchemaPool();
const directories: string[] = [];

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await schemas.dropAll();
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

function spawnWorker(workerId: string, environment: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...environment, BATON_TEST_WORKER_ID: workerId, BATON_TEST_STEPS: String(STEPS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const events: WorkerEvent[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WorkerEvent);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, events, exited };
}

const eventOf = (
  worker: WorkerProcess,
  event: string,
  predicate: (entry: WorkerEvent) => boolean = () => true,
) =>
  waitFor(
    `${event} from a worker`,
    () => worker.events.find((entry) => entry.event === event && predicate(entry)),
    RECOVERY_MS,
  );

function statusTexts(items: Item[]): string[] {
  return items.flatMap((item) => (item.payload.type === 'status' ? [item.payload.text] : []));
}

/** Every step recorded exactly once, in order, and one completion. */
function expectCompletedOnce(texts: string[]): void {
  expect(texts.filter((text) => text.startsWith('step '))).toEqual(
    Array.from({ length: STEPS }, (_, index) => `step ${index + 1}`),
  );
  expect(texts.filter((text) => text.startsWith('completed by '))).toHaveLength(1);
}

describe('crash recovery', () => {
  it('moves a turn to the other worker when the one running it is killed (Postgres, two processes)', async () => {
    const database = await openDatabase('postgres', schemas);
    const queue = await startQueue(database);
    try {
      const environment = {
        BATON_TEST_DATABASE_URL: database.url ?? '',
        BATON_TEST_BOSS_SCHEMA: database.bossSchema,
      };
      const workers = [spawnWorker('worker-a', environment), spawnWorker('worker-b', environment)];
      await Promise.all(workers.map((worker) => eventOf(worker, 'ready')));
      const intake = createIntake({
        store: database.store,
        queue,
        config: { maxGlobal: 8, maxPerRequester: 2 },
        branchPrefix: 'baton/',
        log: createSilentLogger(),
      });
      const submitted = await intake.submit(
        slackRequest({ threadTs: '1700000201.000100', text: 'count slowly' }),
      );
      if (submitted.type !== 'queued') throw new Error('expected a queued turn');
      const turnId = submitted.turnId;

      const first = await waitFor('a worker to reach step 2', () =>
        workers.find((worker) => worker.events.some((entry) => entry.event === 'step' && entry.step === 2)),
      );
      first.child.kill('SIGKILL');
      await first.exited;
      const survivor = workers.find((worker) => worker !== first);
      if (!survivor) throw new Error('no surviving worker');
      const claim = await eventOf(survivor, 'claimed', (entry) => entry.turnId === turnId);
      expect(claim.resumed).toBe(true);
      await eventOf(survivor, 'completed', (entry) => entry.turnId === turnId);

      const turn = await database.store.getTurn(turnId);
      expect(turn).toMatchObject({ status: 'succeeded', claimedBy: claim.workerId, attempt: 2 });
      const texts = statusTexts(await database.store.listItems(turnId));
      expect(texts.filter((text) => text.startsWith('claimed by '))).toEqual([
        `claimed by ${first.events[0]?.workerId} resumed=false`,
        `claimed by ${claim.workerId} resumed=true`,
      ]);
      expectCompletedOnce(texts);
      survivor.child.kill('SIGTERM');
      await survivor.exited;
    } finally {
      await queue.stop();
      await database.close();
    }
  });

  it('resumes a turn when a killed PGlite process restarts on the same data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'baton-crash-'));
    directories.push(dataDir);
    const environment = { BATON_TEST_DATA_DIR: dataDir };
    const first = spawnWorker('solo', { ...environment, BATON_TEST_SUBMIT: '1700000301.000100' });
    const step = await eventOf(first, 'step', (entry) => entry.step === 2);
    first.child.kill('SIGKILL');
    await first.exited;

    const restarted = spawnWorker('solo', environment);
    const claim = await eventOf(restarted, 'claimed', (entry) => entry.turnId === step.turnId);
    expect(claim.resumed).toBe(true);
    await eventOf(restarted, 'completed', (entry) => entry.turnId === step.turnId);
    restarted.child.kill('SIGTERM');
    await restarted.exited;

    const { store }: { store: Store } = await openStore({ dataDir });
    try {
      const turn = await store.getTurn(step.turnId ?? '');
      expect(turn).toMatchObject({ status: 'succeeded', attempt: 2 });
      const texts = statusTexts(await store.listItems(step.turnId ?? ''));
      expect(texts.filter((text) => text.startsWith('claimed by '))).toEqual([
        'claimed by solo resumed=false',
        'claimed by solo resumed=true',
      ]);
      expectCompletedOnce(texts);
    } finally {
      await store.close();
    }
  });
});
