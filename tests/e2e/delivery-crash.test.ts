import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/index.ts';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github-server.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-server.ts';
import { createTempDir } from '../fixtures/git-repo.ts';
import { calculatorProject } from '../fixtures/projects/calculator.ts';
import { type BatonProcess, fetchRun, mention, spawnBaton } from './process-harness.ts';
import { CHANNEL, REPO, waitFor } from './server-harness.ts';

// A killed worker's turn comes back once its heartbeat is stale (heartbeatSeconds, min 10).
const RECOVERY_MS = 90_000;
const TEST_MS = 180_000;
const PULLS = `/repos/${REPO}/pulls`;

const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const finish = (summary: string) => ({
  type: 'tool_calls' as const,
  calls: [{ name: 'finish', arguments: { summary, pr_title: 'Fix add()', pr_body: summary } }],
});

interface Scene {
  model: FakeOpenAI;
  slack: FakeSlack;
  github: FakeGitHub;
  root: { path: string; cleanup(): void };
  config: ConfigInput;
  processes: BatonProcess[];
}

let scene: Scene | undefined;

async function createScene(): Promise<Scene> {
  const [model, slack, github] = await Promise.all([startFakeOpenAI(), startFakeSlack(), startFakeGitHub()]);
  await github.createRepo({ owner: 'acme', name: 'calculator', files: calculatorProject });
  const config: ConfigInput = {
    model: { name: 'gpt-test', prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8 } } },
    repos: [{ name: REPO, url: github.gitUrl(REPO) }],
    server: { port: 0, workerPort: 0, host: '127.0.0.1', publicBaseUrl: 'https://baton.example.test' },
    github: { retryUnitMs: 1, writeIntervalMs: 0 },
    runs: {
      heartbeatSeconds: 10,
      workerConcurrency: 1,
      finals: { sweepMs: 200, retryBaseMs: 100, retryMaxMs: 1_000, maxAttempts: 8, leaseSeconds: 2 },
    },
  };
  return { model, slack, github, root: createTempDir('baton-delivery-crash-'), config, processes: [] };
}

async function start(current: Scene, dataDir: string): Promise<BatonProcess> {
  const started = await spawnBaton({
    role: 'all',
    dataDir,
    config: current.config,
    model: current.model,
    slack: current.slack,
    github: current.github,
  });
  current.processes.push(started);
  return started;
}

afterEach(async () => {
  const current = scene;
  scene = undefined;
  if (!current) return;
  current.github.beforeRest(undefined);
  current.slack.afterCall(undefined);
  await Promise.all(current.processes.map((process) => process.stop()));
  await Promise.all([current.model.close(), current.slack.close(), current.github.close()]);
  current.root.cleanup();
});

/** The final replies in the thread: the messages whose metadata marks them as Baton's final. */
const finalsIn = (slack: FakeSlack, threadTs: string) =>
  slack.thread(CHANNEL, threadTs).filter((message) => message.metadata?.event_type === 'baton_final');

describe('delivery across a SIGKILL (baton start --role all on PGlite, restarted on its data directory)', () => {
  it(
    'killed between the push and the pull request: the resumed turn opens one PR and the final links it',
    async () => {
      const current = await createScene();
      scene = current;
      const { model, slack, github } = current;
      model.enqueue(
        { type: 'tool_calls', calls: [readMath] },
        { type: 'tool_calls', calls: [fixAdd] },
        finish('add() adds now.'),
        finish('add() adds now.'),
      );
      const dataDir = join(current.root.path, 'data');
      const first = await start(current, dataDir);
      let killed = false;
      // The push is done when the PR is asked for: the process dies right there, the PR never made.
      github.beforeRest(async (request) => {
        if (killed || request.method !== 'POST' || request.path !== PULLS) return undefined;
        killed = true;
        await first.crash();
        return { status: 502, json: { message: 'the caller is gone' } };
      });
      const { ts } = await mention(slack, first.port ?? 0, `please fix the add test repo:${REPO}`);
      await waitFor('the kill between push and PR', () => killed, RECOVERY_MS);
      github.beforeRest(undefined);
      const branch = github
        .git(REPO, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/')
        .split('\n')
        .filter(Boolean);
      expect(branch).toHaveLength(1);
      const pushedHead = github.git(REPO, 'rev-parse', `refs/heads/${branch[0]}`);
      expect(github.git(REPO, 'diff', `main..${branch[0]}`)).toContain('+  return a + b;');
      expect(github.repoState(REPO).pulls).toHaveLength(0);

      const restarted = await start(current, dataDir);
      await waitFor(
        'the final reply',
        () => finalsIn(slack, ts).length > 0 && slack.reactions(CHANNEL, ts).includes('white_check_mark'),
        RECOVERY_MS,
      );
      const pulls = github.repoState(REPO).pulls;
      expect(pulls).toHaveLength(1);
      expect(pulls[0]).toMatchObject({ draft: true, head: { ref: branch[0] } });
      // Not pushed again: the branch is where the first process left it, one commit beyond main.
      expect(github.git(REPO, 'rev-parse', `refs/heads/${branch[0]}`)).toBe(pushedHead);
      expect(github.git(REPO, 'rev-list', '--count', `main..${branch[0]}`)).toBe('1');
      const finals = finalsIn(slack, ts);
      expect(finals).toHaveLength(1);
      expect(`${finals[0]?.text} ${JSON.stringify(finals[0]?.blocks)}`).toContain(pulls[0]?.html_url);
      const run = await fetchRun(restarted.port ?? 0);
      expect(run.turn).toMatchObject({ status: 'succeeded', attempt: 2 });
      expect(run.thread.pullRequestUrl).toBe(pulls[0]?.html_url);
      const pushStep = run.items.filter(
        (item) => item.payload.type === 'middleware_step' && item.payload.name === 'push',
      );
      expect(JSON.stringify(pushStep.at(-1)?.payload)).toContain('Already pushed');
    },
    TEST_MS,
  );

  it(
    'killed right after posting the final: the restarted process finds it and posts no second one',
    async () => {
      const current = await createScene();
      scene = current;
      const { model, slack } = current;
      model.enqueue(
        { type: 'tool_calls', calls: [readMath] },
        { type: 'tool_calls', calls: [fixAdd] },
        finish('add() adds, said once.'),
      );
      const dataDir = join(current.root.path, 'data');
      const first = await start(current, dataDir);
      let killed = false;
      slack.afterCall(async (call) => {
        if (killed || call.method !== 'chat.postMessage' || call.args.metadata === undefined) return;
        killed = true;
        await first.crash();
      });
      const { ts } = await mention(slack, first.port ?? 0, `please fix the add test repo:${REPO}`);
      await waitFor('the kill after the final post', () => killed, RECOVERY_MS);
      slack.afterCall(undefined);
      expect(finalsIn(slack, ts)).toHaveLength(1);
      expect(slack.reactions(CHANNEL, ts)).not.toContain('white_check_mark');

      await start(current, dataDir);
      // The restarted worker's sweep takes the lapsed claim, finds the final in the thread, and closes.
      await waitFor(
        'the ✅ after the restart',
        () => slack.reactions(CHANNEL, ts).includes('white_check_mark'),
        RECOVERY_MS,
      );
      expect(finalsIn(slack, ts)).toHaveLength(1);
      const finalPosts = slack
        .callsTo('chat.postMessage')
        .filter((call) => call.args.thread_ts === ts && call.args.metadata !== undefined);
      expect(finalPosts).toHaveLength(1);
      const looked = slack
        .callsTo('conversations.replies')
        .filter((call) => call.args.ts === ts && String(call.args.include_all_metadata) === 'true');
      expect(looked.length).toBeGreaterThan(0);
    },
    TEST_MS,
  );
});
