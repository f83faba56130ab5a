import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/index.ts';
import { RESUME_NOTE } from '../../src/runs/resume.ts';
import {
  type FakeOpenAI,
  isPrefixExtension,
  startFakeOpenAI,
  toCanonicalPrefix,
} from '../fakes/openai-server.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-server.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../fixtures/git-repo.ts';
import { calculatorProject } from '../fixtures/projects/calculator.ts';
import {
  type BatonProcess,
  createFreshDatabase,
  fetchRun,
  mention,
  modelRequestsReached,
  spawnBaton,
} from './process-harness.ts';
import { CHANNEL, REPO, waitFor } from './server-harness.ts';

// A dead worker's turn comes back after pg-boss misses its heartbeat (heartbeatSeconds, min 10) and
// the store's heartbeat goes stale too: ~15–30 s. A restarted process waits for the same.
const RECOVERY_MS = 90_000;
const TEST_MS = 180_000;

const SUMMARY = 'add() adds now.';
const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const finish = {
  name: 'finish',
  arguments: { summary: SUMMARY, pr_title: 'Fix add()', pr_body: 'Fixed add().' },
};

interface Scene {
  model: FakeOpenAI;
  slack: FakeSlack;
  repo: FixtureRepo;
  root: { path: string; cleanup(): void };
  config: ConfigInput;
  processes: BatonProcess[];
  dropDatabase?: () => Promise<void>;
}

let scene: Scene | undefined;

async function createScene(): Promise<Scene> {
  const model = await startFakeOpenAI();
  const slack = await startFakeSlack();
  const repo = createFixtureRepo(calculatorProject);
  const config: ConfigInput = {
    model: { name: 'gpt-test', prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8 } } },
    repos: [{ name: REPO, url: repo.path }],
    server: { port: 0, workerPort: 0, host: '127.0.0.1', publicBaseUrl: 'https://baton.example.test' },
    runs: { heartbeatSeconds: 10, workerConcurrency: 1 },
  };
  // The agent reads, fixes add() (a checkpoint follows the edit), then its process dies while the
  // model is slow to answer; whoever resumes gets the last entry and finishes.
  model.enqueue(
    { type: 'tool_calls', calls: [readMath] },
    { type: 'tool_calls', calls: [fixAdd] },
    { type: 'delay', ms: 600_000, reply: { type: 'tool_calls', calls: [finish] } },
    { type: 'tool_calls', calls: [finish] },
  );
  return { model, slack, repo, root: createTempDir('baton-crash-e2e-'), config, processes: [] };
}

async function start(
  current: Scene,
  options: { role: 'gateway' | 'worker' | 'all'; dataDir: string; databaseUrl?: string },
): Promise<BatonProcess> {
  const started = await spawnBaton({
    ...options,
    config: current.config,
    model: current.model,
    slack: current.slack,
  });
  current.processes.push(started);
  return started;
}

afterEach(async () => {
  const current = scene;
  scene = undefined;
  if (!current) return;
  await Promise.all(current.processes.map((process) => process.stop()));
  await current.model.close();
  await current.slack.close();
  await current.dropDatabase?.();
  current.repo.cleanup();
  current.root.cleanup();
});

/** Waits until the run is mid-way (edited, checkpointed, waiting on the model); returns its turn. */
async function waitForCheckpointedRun(current: Scene, gatewayPort: number) {
  await modelRequestsReached(current.model, 3);
  const run = await fetchRun(gatewayPort);
  const checkpoint = run.items.find((item) => item.payload.type === 'checkpoint');
  expect(checkpoint?.payload).toMatchObject({ patch: expect.stringContaining('+  return a + b;') });
  expect(run.turn).toMatchObject({ status: 'running', attempt: 1 });
  return run.turn;
}

/** The resumed run finished once: one status message, one final reply, one commit with the fix. */
async function expectFinishedOnce(
  current: Scene,
  input: { gatewayPort: number; threadTs: string; turnId: string; resumedBy: string },
) {
  const { model, slack, repo } = current;
  const reactions = await waitFor(
    'the final reaction (✅ or ❌)',
    () => {
      const now = slack.reactions(CHANNEL, input.threadTs);
      return (now.includes('white_check_mark') || now.includes('x')) && now;
    },
    RECOVERY_MS,
  );
  expect(reactions).toContain('white_check_mark');
  expect(reactions).not.toContain('x');
  const run = await fetchRun(input.gatewayPort, input.turnId);
  expect(run.turn).toMatchObject({ status: 'succeeded', attempt: 2, claimedBy: input.resumedBy });

  // The model's first request after the crash: the history it had before, exactly, plus the note.
  const requests = model.modelRequests();
  expect(requests).toHaveLength(4);
  const [, , beforeCrash, afterCrash] = requests;
  if (!beforeCrash || !afterCrash) throw new Error('missing model requests');
  expect(isPrefixExtension(beforeCrash.body, afterCrash.body)).toBe(true);
  const appended = toCanonicalPrefix(afterCrash.body).items.slice(
    toCanonicalPrefix(beforeCrash.body).items.length,
  );
  expect(appended).toEqual([{ role: 'user', content: RESUME_NOTE }]);
  const notes = run.items.filter(
    (item) => item.payload.type === 'user_message' && item.payload.text === RESUME_NOTE,
  );
  expect(notes).toHaveLength(1);

  // Slack: the status message posted once (by the gateway) and edited, one final reply, ✅ not ❌.
  const posted = slack.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === input.threadTs);
  const botMessages = slack
    .thread(CHANNEL, input.threadTs)
    .filter((message) => message.user === slack.botUserId);
  expect(posted).toHaveLength(2);
  expect(botMessages).toHaveLength(2);
  const finals = botMessages.filter((message) =>
    `${message.text} ${JSON.stringify(message.blocks)}`.includes(SUMMARY),
  );
  expect(finals).toHaveLength(1);
  // The resumed worker closed the status message the gateway posted, rather than posting another.
  expect(botMessages[0]?.edits.length).toBeGreaterThan(0);
  expect(botMessages[0]?.text).toContain('Done');

  // Git: one branch, one commit on it, and the fix made before the crash is in it (from the checkpoint:
  // nobody edited the file after the resume).
  const branches = repo.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/').split('\n');
  expect(branches).toEqual([run.thread.branch]);
  expect(repo.git('rev-list', '--count', `main..${run.thread.branch}`)).toBe('1');
  expect(repo.git('diff', `main..${run.thread.branch}`)).toContain('+  return a + b;');
}

describe('crash recovery, product level (baton start in child processes, fake Slack and model)', () => {
  it(
    'Postgres: a SIGKILLed worker’s turn is resumed by the other worker and answered once',
    async () => {
      const current = await createScene();
      scene = current;
      const database = await createFreshDatabase();
      current.dropDatabase = database.drop;
      const databaseUrl = database.url;
      const gateway = await start(current, {
        role: 'gateway',
        dataDir: join(current.root.path, 'gateway'),
        databaseUrl,
      });
      const workers = await Promise.all(
        ['worker-a', 'worker-b'].map((name) =>
          start(current, { role: 'worker', dataDir: join(current.root.path, name), databaseUrl }),
        ),
      );
      const gatewayPort = gateway.port ?? 0;

      const { ts, status } = await mention(
        current.slack,
        gatewayPort,
        `please fix the add test repo:${REPO}`,
      );
      expect(status).toBe(200);
      const turn = await waitForCheckpointedRun(current, gatewayPort);
      const victim = workers.find((worker) => worker.workerId === turn.claimedBy);
      const survivor = workers.find((worker) => worker !== victim);
      if (!victim || !survivor)
        throw new Error(`no worker process holds the turn (claimed by ${turn.claimedBy})`);
      await victim.crash();

      await expectFinishedOnce(current, {
        gatewayPort,
        threadTs: ts,
        turnId: turn.id,
        resumedBy: survivor.workerId,
      });
    },
    TEST_MS,
  );

  it(
    'PGlite: a SIGKILLed `--role all` process restarted on its data directory resumes the turn and answers once',
    async () => {
      const current = await createScene();
      scene = current;
      const dataDir = join(current.root.path, 'data');
      const first = await start(current, { role: 'all', dataDir });

      const { ts, status } = await mention(
        current.slack,
        first.port ?? 0,
        `please fix the add test repo:${REPO}`,
      );
      expect(status).toBe(200);
      const turn = await waitForCheckpointedRun(current, first.port ?? 0);
      expect(turn.claimedBy).toBe(first.workerId);
      await first.crash();

      const restarted = await start(current, { role: 'all', dataDir });
      await expectFinishedOnce(current, {
        gatewayPort: restarted.port ?? 0,
        threadTs: ts,
        turnId: turn.id,
        resumedBy: restarted.workerId,
      });
    },
    TEST_MS,
  );
});
