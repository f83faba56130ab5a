import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../fakes/e2b-server.ts';
import {
  CHANNEL,
  createServerHarness,
  HOST_SECRETS,
  REPO,
  type ServerHarness,
  waitFor,
} from './server-harness.ts';

const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const addTriple = {
  name: 'edit_file',
  arguments: {
    path: 'src/math.js',
    old_string: 'export function double(a) {',
    new_string: 'export function triple(a) {\n  return a * 3;\n}\n\nexport function double(a) {',
  },
};
const finish = (summary: string, title: string) => ({
  name: 'finish',
  arguments: { summary, pr_title: title, pr_body: summary },
});

function verdict(harness: ServerHarness, ts: string) {
  return waitFor('the final reaction', () =>
    harness.slack.reactions(CHANNEL, ts).find((name) => name === 'white_check_mark' || name === 'x'),
  );
}

// Whole runs through real git, bubblewrap, PGlite and the SDK: slow on a loaded two-core machine.
const TEST_MS = 180_000;

describe('Slack mention with sandbox.provider: e2b (fake E2B, fake GitHub)', () => {
  let fake: FakeE2B;
  let harness: ServerHarness;
  beforeAll(async () => {
    fake = await startFakeE2B();
    harness = await createServerHarness({
      github: true,
      config: { sandbox: { provider: 'e2b', e2b: { keepPausedMinutes: 30, instance: 'e2e' } } },
      extraEnv: { E2B_API_KEY: fake.apiKey, E2B_API_URL: fake.apiUrl, E2B_SANDBOX_URL: fake.sandboxUrl },
    });
  }, TEST_MS);
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
  }, TEST_MS);

  it(
    'pushes the branch and opens the draft PR as with local; pauses at turn end and resumes the same sandbox for the reply',
    async () => {
      const github = harness.github;
      if (!github) throw new Error('the harness has no fake GitHub');
      harness.model.enqueue(
        { type: 'tool_calls', calls: [readMath] },
        { type: 'tool_calls', calls: [fixAdd] },
        { type: 'tool_calls', calls: [finish('add() adds now.', 'Fix add()')] },
      );
      const { ts } = await harness.mention(`please fix the add test repo:${REPO}`);
      expect(await verdict(harness, ts)).toBe('white_check_mark');
      const [run] = await harness.runs();
      const branch = run?.thread.branch ?? '';
      expect(branch).toMatch(/^baton\/[0-9a-f]{12}$/);
      expect(github.git(REPO, 'log', '--format=%s', `main..${branch}`).trim()).toBe('Fix add()');
      expect(github.git(REPO, 'diff', `main..${branch}`)).toContain('+  return a + b;');
      const [pull, ...others] = github.repoState(REPO).pulls;
      expect(others).toHaveLength(0);
      expect(pull).toMatchObject({
        draft: true,
        title: 'Fix add()',
        head: { ref: branch },
        base: { ref: 'main' },
      });
      expect(pull?.body).toMatch(/\*\*test\*\* `npm test`: passed/);
      expect(harness.botMessages(ts).some((message) => message.text.includes(pull?.html_url ?? '∅'))).toBe(
        true,
      );

      expect(fake.record.creates).toHaveLength(1);
      expect(fake.record.creates[0]).toMatchObject({
        allow_internet_access: false,
        metadata: { 'baton-instance': 'e2e', 'baton-thread': run?.thread.key, 'baton-turn': run?.turn.id },
      });
      // Its lifetime: what is left of the 45-minute wall-clock budget plus ten minutes, in seconds.
      const lifetime = Number(fake.record.creates[0]?.timeout);
      expect(lifetime).toBeGreaterThan(3_000);
      expect(lifetime).toBeLessThanOrEqual(3_300);
      const [sandboxId] = [...fake.sandboxes.keys()];
      expect(fake.record.uploads.some((upload) => upload.path === '/tmp/baton/start.bundle')).toBe(true);
      await waitFor('the sandbox to be paused', () => fake.record.paused.includes(sandboxId ?? '∅'));

      harness.model.enqueue(
        { type: 'tool_calls', calls: [readMath, addTriple] },
        { type: 'tool_calls', calls: [finish('triple() is there now.', 'Add triple()')] },
      );
      const reply = await harness.threadReply(ts, 'Now add a triple() function too.');
      expect(await verdict(harness, reply.ts)).toBe('white_check_mark');
      expect(fake.record.resumed).toEqual([sandboxId]);
      expect(fake.record.creates).toHaveLength(1);
      expect(github.git(REPO, 'log', '--format=%s', `main..${branch}`).trim().split('\n')).toEqual([
        'Add triple()',
        'Fix add()',
      ]);
      expect(github.repoState(REPO).pulls).toHaveLength(1);

      const envs = JSON.stringify(fake.record.processStarts.map((start) => start.envs));
      const secrets = [
        ...Object.values(HOST_SECRETS),
        fake.apiKey,
        ...github.issuedTokens.map((issued) => issued.token),
        ...[...fake.sandboxes.values()].map((sandbox) => sandbox.envdAccessToken),
      ];
      for (const secret of secrets) expect(envs).not.toContain(secret);
      expect(harness.logLines().join('\n')).not.toContain(fake.apiKey);
    },
    TEST_MS,
  );
});
