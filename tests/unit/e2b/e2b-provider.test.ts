import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBatonError } from '../../../src/observability/errors.ts';
import { E2B_METADATA } from '../../../src/sandbox/e2b/index.ts';
import { createE2BHarness, E2B_LIMITS, type E2BHarness } from './e2b-harness.ts';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isBatonError(error) ? error.code : String(error)),
  );

describe('E2B provider on the fake E2B', () => {
  let harness: E2BHarness;
  beforeAll(async () => {
    harness = await createE2BHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('creates with internet off, its lifetime and metadata; the repository arrives as an uploaded bundle; no secret in any env', async () => {
    // Even an operator who allowlists the key's variable does not get it into the sandbox.
    const sandbox = await harness
      .provider()
      .create(harness.createOptions({ limits: { ...E2B_LIMITS, envAllowlist: ['LANG', 'E2B_API_KEY'] } }));
    try {
      const create = harness.fake.record.creates.at(-1);
      expect(create).toMatchObject({
        templateID: 'base',
        allow_internet_access: false,
        timeout: 120,
        metadata: {
          [E2B_METADATA.instance]: 'test-instance',
          [E2B_METADATA.thread]: 'slack:C1:1.000',
          [E2B_METADATA.turn]: 'turn-1',
          [E2B_METADATA.branch]: 'baton/thread-1',
        },
      });
      expect(create?.envVars).toBeUndefined();
      const upload = harness.fake.record.uploads.find((entry) => entry.sandboxId === sandbox.id);
      expect(upload?.path).toBe('/tmp/baton/start.bundle');
      expect(upload?.head).toMatch(/^# v[23] git bundle/);
      // The host keeps no copy of what it sent.
      expect(readdirSync(dirname(harness.repoCache.layout.outgoing('x')))).toEqual([]);
      const state = await sandbox.exec({
        cmd: 'git remote get-url origin; git log --oneline | wc -l; echo "$LANG"',
      });
      expect(state.stdout).toBe(`${harness.fixture.path}\n1\nC.UTF-8\n`);
      const token = harness.fake.sandboxes.get(sandbox.id)?.envdAccessToken ?? 'missing';
      const envs = JSON.stringify(harness.fake.record.processStarts.map((start) => start.envs));
      expect(envs).not.toContain(harness.fake.apiKey);
      expect(envs).not.toContain(token);
      const printed = await sandbox.exec({ cmd: 'env' });
      expect(printed.stdout).not.toContain(harness.fake.apiKey);
      expect(printed.stdout).not.toContain('E2B_API_KEY');
    } finally {
      await sandbox.dispose();
    }
  });

  it('caps output and keeps the whole of it in the workspace; runs commands side by side', async () => {
    const sandbox = await harness
      .provider({ keepPausedMs: 0 })
      .create(harness.createOptions({ branch: 'baton/cap' }));
    try {
      const [big, quick] = await Promise.all([
        sandbox.exec({ cmd: 'sleep 0.3; head -c 100000 /dev/zero | tr "\\0" a' }),
        sandbox.exec({ cmd: 'echo quick' }),
      ]);
      expect(quick.stdout).toBe('quick\n');
      expect(big.truncated).toBe(true);
      expect(big.stdout.length).toBe(64 * 1024);
      expect(big.fullOutputPath).toMatch(/^\.baton\/output\/\d+\.log$/);
      expect((await sandbox.exec({ cmd: `wc -c < ${big.fullOutputPath}` })).stdout.trim()).toBe('100000');
    } finally {
      await sandbox.dispose();
    }
  });

  it('pauses at the end of a turn and resumes the same sandbox for the next turn within the keep time', async () => {
    const provider = harness.provider();
    const options = harness.createOptions({
      branch: 'baton/pause',
      labels: { thread: 't-pause', turn: 'p1' },
    });
    const first = await provider.create(options);
    await first.exec({ cmd: 'mkdir -p .baton && echo kept > .baton/ignored-state; echo dirty >> README.md' });
    await first.dispose();
    expect(harness.fake.record.paused).toContain(first.id);
    expect(harness.fake.sandboxes.get(first.id)?.state).toBe('paused');
    harness.threads.set('t-pause', { active: true, lastEndedAt: harness.clock.now });

    const second = await provider.create({ ...options, labels: { thread: 't-pause', turn: 'p2' } });
    try {
      expect(second.id).toBe(first.id);
      expect(harness.fake.record.resumed).toContain(first.id);
      const state = await second.exec({
        cmd: 'cat .baton/ignored-state; git status --porcelain; cat README.md',
      });
      expect(state.stdout).toBe('kept\nhello\n');
    } finally {
      await second.dispose();
    }
    harness.threads.set('t-pause', { active: true, lastEndedAt: harness.clock.now - 31 * 60_000 });
    const third = await provider.create({ ...options, labels: { thread: 't-pause', turn: 'p3' } });
    try {
      expect(third.id).not.toBe(first.id);
      expect(harness.fake.record.killed).toContain(first.id);
    } finally {
      await third.dispose();
    }
  });

  it('reconciles at worker start: kills a sandbox left running by an ended turn (counted) and paused ones past their keep time', async () => {
    const provider = harness.provider();
    // A worker that is SIGKILLed never disposes its sandbox: it stays running.
    const left = await provider.create(
      harness.createOptions({ branch: 'baton/left', labels: { thread: 'l', turn: 'l1' } }),
    );
    const paused = await provider.create(
      harness.createOptions({ branch: 'baton/old', labels: { thread: 'o', turn: 'o1' } }),
    );
    await paused.dispose();
    const live = await provider.create(
      harness.createOptions({ branch: 'baton/live', labels: { thread: 'v', turn: 'v1' } }),
    );
    harness.threads.set('l', { active: false, lastEndedAt: harness.clock.now });
    harness.threads.set('o', { active: false, lastEndedAt: harness.clock.now - 60 * 60_000 });
    harness.threads.set('v', { active: true });
    const before = await harness.metrics.render();
    const report = await harness.provider().reconcile?.();
    expect(report).toMatchObject({ orphans: 1 });
    expect(report?.expired).toBeGreaterThanOrEqual(1);
    expect(harness.fake.sandboxes.has(left.id)).toBe(false);
    expect(harness.fake.sandboxes.has(paused.id)).toBe(false);
    expect(harness.fake.sandboxes.get(live.id)?.state).toBe('running');
    expect(before).not.toContain('reason="turn_ended"');
    expect(await harness.metrics.render()).toContain(
      'baton_e2b_orphan_sandboxes_total{reason="turn_ended"} 1',
    );
    await live.dispose();
  });

  it('a turn taken over from a SIGKILLed worker kills the sandbox the dead worker left running on the branch', async () => {
    const provider = harness.provider();
    const options = harness.createOptions({ branch: 'baton/takeover', labels: { thread: 'k', turn: 'k1' } });
    const abandoned = await provider.create(options); // its worker died: never disposed
    harness.threads.set('k', { active: true });
    const before = await harness.metrics.render();
    const takeover = await harness.provider().create(options);
    try {
      expect(takeover.id).not.toBe(abandoned.id);
      expect(harness.fake.sandboxes.has(abandoned.id)).toBe(false);
      expect(harness.fake.record.killed).toContain(abandoned.id);
      expect(before).not.toContain('reason="superseded"');
      expect(await harness.metrics.render()).toContain(
        'baton_e2b_orphan_sandboxes_total{reason="superseded"} 1',
      );
    } finally {
      await takeover.dispose();
    }
  });

  it('retries a 429 after its Retry-After and a 500 with backoff; a refused key ends with one plain line', async () => {
    const provider = harness.provider({ keepPausedMs: 0 });
    harness.fake.fail({ method: 'POST', path: '/v2/sandboxes', status: 429, retryAfterSeconds: 1 });
    harness.fake.fail({ method: 'POST', path: '/v2/sandboxes', status: 500 });
    const sandbox = await provider.create(
      harness.createOptions({ branch: 'baton/retry', labels: undefined }),
    );
    const statuses = harness.fake.record.api
      .filter((entry) => entry.method === 'POST' && entry.path === '/v2/sandboxes')
      .slice(-3)
      .map((entry) => entry.status);
    expect(statuses).toEqual([429, 500, 201]);
    await sandbox.dispose();

    const refused = harness.provider({
      connection: {
        apiKey: 'e2b_wrong',
        apiUrl: harness.fake.apiUrl,
        sandboxUrl: harness.fake.sandboxUrl,
        requestTimeoutMs: 5_000,
      },
    });
    const error = await refused
      .create(harness.createOptions({ branch: 'baton/refused' }))
      .catch((caught: unknown) => caught);
    expect(isBatonError(error) && error.code).toBe('e2b_key_refused');
    expect((error as Error).message).toBe('E2B refused the API key');
    harness.fake.fail({
      method: 'POST',
      path: '/v2/sandboxes',
      status: 403,
      message: 'team quota exhausted',
    });
    expect(await codeOf(provider.create(harness.createOptions({ branch: 'baton/quota' })))).toBe(
      'e2b_key_refused',
    );
  });

  it('recreates a sandbox lost mid-turn once, from the last checkpoint; a second loss ends the turn', async () => {
    const provider = harness.provider({ keepPausedMs: 0 });
    let checkpoint: { baseCommit: string; patch: string } | null = null;
    const sandbox = await provider.create({
      ...harness.createOptions({ branch: 'baton/lost', labels: { thread: 'x', turn: 'x1' } }),
      lastCheckpoint: async () => checkpoint,
    });
    const base = (await sandbox.exec({ cmd: 'git rev-parse HEAD' })).stdout.trim();
    await sandbox.exec({ cmd: 'echo "saved work" > saved.txt && git add -N saved.txt' });
    checkpoint = { baseCommit: base, patch: (await sandbox.exec({ cmd: 'git diff' })).stdout };
    const lost = sandbox.id;
    const creates = harness.fake.record.creates.length;

    const running = sandbox.exec({ cmd: 'sleep 2; echo late' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    harness.fake.vanish(lost);
    const rerun = await running;
    expect(rerun.stdout).toBe('late\n');
    expect(sandbox.id).not.toBe(lost);
    expect(harness.fake.record.creates.length).toBe(creates + 1);
    expect(await sandbox.readFile('saved.txt')).toBe('saved work\n');

    harness.fake.vanish(sandbox.id);
    expect(await codeOf(sandbox.exec({ cmd: 'true' }))).toBe('e2b_sandbox_lost');
    await sandbox.dispose();
  });
});
