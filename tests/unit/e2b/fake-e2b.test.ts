import { CommandExitError, Sandbox } from 'e2b';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../fakes/e2b-server.ts';

/** The fake E2B driven by the real SDK, through its API and sandbox URL settings. */
describe('fake E2B with the e2b SDK', () => {
  let fake: FakeE2B;
  const connection = () => ({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl });

  beforeAll(async () => {
    fake = await startFakeE2B();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('creates a sandbox without internet, runs commands for real, maps a non-zero exit to CommandExitError', async () => {
    const sandbox = await Sandbox.create('base', {
      ...connection(),
      allowInternetAccess: false,
      metadata: { thread: 't1' },
      timeoutMs: 60_000,
    });
    expect(fake.record.creates.at(-1)).toMatchObject({
      templateID: 'base',
      allow_internet_access: false,
      timeout: 60,
    });
    const result = await sandbox.commands.run('echo hi; echo err >&2; pwd; id -u', { envs: { A: 'b' } });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'hi\n/home/user\n1000\n', stderr: 'err\n' });
    const failed = await sandbox.commands.run('echo out; exit 3').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(CommandExitError);
    expect((failed as CommandExitError).exitCode).toBe(3);
    expect((failed as CommandExitError).stdout).toBe('out\n');
    // Its own network namespace: loopback only.
    const network = await sandbox.commands.run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    expect(network.stdout).toBe('lo\n');
    await sandbox.kill();
  });

  it('uploads and downloads files, lists by metadata, pauses and resumes the same sandbox, kills it', async () => {
    const sandbox = await Sandbox.create('base', { ...connection(), metadata: { thread: 't2', turn: 'a' } });
    await sandbox.files.write('/tmp/in/data.bin', new Uint8Array([0, 1, 2, 255]).buffer);
    expect(fake.record.uploads.at(-1)).toMatchObject({ path: '/tmp/in/data.bin', bytes: 4 });
    const read = await sandbox.files.read('/tmp/in/data.bin', { format: 'bytes' });
    expect([...read]).toEqual([0, 1, 2, 255]);
    expect(await sandbox.files.exists('/tmp/in/missing')).toBe(false);
    expect((await sandbox.files.list('/tmp/in')).map((entry) => entry.name)).toEqual(['data.bin']);

    const background = await sandbox.commands.run('sleep 30', { background: true });
    expect((await sandbox.commands.list()).map((entry) => entry.pid)).toContain(background.pid);
    expect(await sandbox.commands.kill(background.pid)).toBe(true);
    await expect(background.wait()).rejects.toBeInstanceOf(CommandExitError);

    const paginator = Sandbox.list({ ...connection(), query: { metadata: { thread: 't2' } } });
    expect((await paginator.nextItems()).map((info) => info.sandboxId)).toEqual([sandbox.sandboxId]);
    expect(await sandbox.pause()).toBe(true);
    const listedPaused = await Sandbox.list({ ...connection(), query: { state: ['paused'] } }).nextItems();
    expect(listedPaused.map((info) => info.sandboxId)).toContain(sandbox.sandboxId);
    const resumed = await Sandbox.connect(sandbox.sandboxId, connection());
    expect(resumed.sandboxId).toBe(sandbox.sandboxId);
    expect((await resumed.files.read('/tmp/in/data.bin', { format: 'bytes' })).length).toBe(4);
    await resumed.setTimeout(30_000);
    expect(await Sandbox.kill(sandbox.sandboxId, connection())).toBe(true);
    expect(await Sandbox.kill(sandbox.sandboxId, connection())).toBe(false);
    expect(fake.record.paused).toContain(sandbox.sandboxId);
    expect(fake.record.resumed).toContain(sandbox.sandboxId);
  });

  it('answers a wrong key with 401 and a scripted 429 with Retry-After the SDK waits for', async () => {
    const refused = await Sandbox.create('base', { ...connection(), apiKey: 'e2b_wrong' }).catch(
      (error: unknown) => error,
    );
    expect((refused as Error).name).toBe('AuthenticationError');
    fake.fail({ method: 'POST', path: '/v2/sandboxes', status: 429, retryAfterSeconds: 1 });
    const sandbox = await Sandbox.create('base', connection());
    const creates = fake.record.api.filter(
      (entry) => entry.method === 'POST' && entry.path === '/v2/sandboxes',
    );
    expect(creates.slice(-2).map((entry) => entry.status)).toEqual([429, 201]);
    await sandbox.kill();
  });
});
