import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../fakes/e2b-server.ts';
import { type CliHarness, createCliHarness, HOST_SECRETS, reportedBranch } from './cli-harness.ts';

const script = () => [
  { type: 'tool_calls' as const, calls: [{ name: 'read_file', arguments: { path: 'src/math.js' } }] },
  {
    type: 'tool_calls' as const,
    calls: [
      {
        name: 'edit_file',
        arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
      },
    ],
  },
  { type: 'tool_calls' as const, calls: [{ name: 'run_command', arguments: { command: 'npm test' } }] },
  {
    type: 'tool_calls' as const,
    calls: [
      {
        name: 'finish',
        arguments: {
          summary: 'add() adds now.',
          pr_title: 'Fix add()',
          pr_body: 'add() adds now.\n\nTested with npm test.',
        },
      },
    ],
  },
];

/** What a run left on its branch, independent of the branch's random name. */
function workOf(harness: CliHarness, branch: string) {
  return {
    subjects: harness.branchCommits(branch).map((line) => line.split(' ').slice(1).join(' ')),
    diff: harness.repo.git('diff', `main..${branch}`),
  };
}

// Whole runs through real git, bubblewrap, PGlite and the SDK: slow on a loaded two-core machine.
const TEST_MS = 180_000;

describe('baton run with sandbox.provider: e2b (fake E2B, scripted model)', () => {
  let fake: FakeE2B;
  const harnesses: CliHarness[] = [];
  beforeAll(async () => {
    fake = await startFakeE2B();
  });
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.close();
  });
  afterAll(async () => {
    await fake?.close();
  }, TEST_MS);

  it(
    'gives the commit the local provider gives; internet off, the repository uploaded as a bundle, no secret in any env',
    async () => {
      const cloud = await createCliHarness({
        config: { sandbox: { provider: 'e2b', e2b: { template: 'base' } } },
        env: { E2B_API_KEY: fake.apiKey, E2B_API_URL: fake.apiUrl, E2B_SANDBOX_URL: fake.sandboxUrl },
      });
      harnesses.push(cloud);
      cloud.model.enqueue(...script());
      const cloudRun = await cloud.run('The add test fails, please fix it');
      expect(cloudRun.err).toEqual([]);
      expect(cloudRun.exitCode).toBe(0);

      // What tests/e2e/cli-run.test.ts sees from the local provider for the same script.
      const branch = reportedBranch(cloudRun);
      expect(branch).toMatch(/^baton\/[0-9a-f]{12}$/);
      const work = workOf(cloud, branch);
      expect(work.subjects).toEqual(['Fix add()']);
      expect(cloud.repo.git('diff', '--stat', `main..${branch}`)).toMatch(
        /src\/math\.js \| 2 \+-\n 1 file changed/,
      );
      expect(work.diff).toContain('-  return a - b;');
      expect(work.diff).toContain('+  return a + b;');
      expect(JSON.stringify(cloud.model.requests[3]?.body)).toMatch(/pass 2/);
      const output = cloudRun.out.join('\n');
      expect(output).toMatch(/✓ lint: .*npm run lint/);
      expect(output).toMatch(/✓ test: .*npm test/);

      expect(fake.record.creates).toHaveLength(1);
      expect(fake.record.creates[0]).toMatchObject({ allow_internet_access: false });
      expect(fake.record.uploads.find((upload) => upload.path === '/tmp/baton/start.bundle')?.head).toMatch(
        /^# v[23] git bundle/,
      );
      const envs = JSON.stringify(fake.record.processStarts.map((start) => start.envs));
      for (const secret of [...Object.values(HOST_SECRETS), fake.apiKey]) expect(envs).not.toContain(secret);
      for (const token of [...fake.sandboxes.values()].map((sandbox) => sandbox.envdAccessToken))
        expect(envs).not.toContain(token);
      // A one-shot run keeps nothing: its sandbox is killed, not paused.
      expect(fake.record.paused).toEqual([]);
      expect(fake.record.killed).toHaveLength(1);
      expect(cloudRun.out.join('\n')).not.toContain(fake.apiKey);
    },
    TEST_MS,
  );

  it(
    'ends with one plain line when E2B refuses the key',
    async () => {
      const cloud = await createCliHarness({
        config: { sandbox: { provider: 'e2b' } },
        env: { E2B_API_KEY: 'e2b_revoked', E2B_API_URL: fake.apiUrl, E2B_SANDBOX_URL: fake.sandboxUrl },
      });
      harnesses.push(cloud);
      const run = await cloud.run('The add test fails, please fix it');
      expect(run.exitCode).toBe(1);
      expect(run.out.join('\n')).toContain('E2B refused the API key');
      expect(cloud.model.requests).toHaveLength(0);
    },
    TEST_MS,
  );
});
