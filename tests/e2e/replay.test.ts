import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliHarness, createCliHarness } from './cli-harness.ts';

const finish = {
  name: 'finish',
  arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'add() subtracted; it adds now.' },
};
const script = [
  {
    type: 'tool_calls' as const,
    calls: [
      { name: 'read_file', arguments: { path: 'src/math.js' } },
      { name: 'grep', arguments: { pattern: 'add\\(' } },
    ],
  },
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
  { type: 'tool_calls' as const, calls: [finish] },
];

const batonBranches = (harness: CliHarness) =>
  harness.repo
    .git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/')
    .split('\n')
    .filter(Boolean);

describe('baton logs and baton replay', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  it('replays a recorded turn to the same branch content, and names the step where a replay diverges', async () => {
    harness = await createCliHarness();
    harness.model.enqueue(...script);
    const recorded = await harness.run('The add test fails, please fix it', { json: true });
    expect(recorded.exitCode).toBe(0);
    const lines = recorded.out.map((line) => JSON.parse(line) as { turnId: string; schemaVersion: number });
    const turnId = lines[0]?.turnId ?? '';
    expect(lines.every((line) => line.schemaVersion === 1 && line.turnId === turnId)).toBe(true);
    const [original] = batonBranches(harness);
    expect(original).toBeDefined();
    const modelCalls = harness.model.modelRequests().length;

    // `baton logs` prints the same session log; `--follow` on an ended turn prints it and returns.
    const logs = await harness.command(['logs', turnId]);
    expect(logs.exitCode).toBe(0);
    const logLines = logs.out.join('\n').split('\n');
    expect(logLines).toHaveLength(lines.length);
    const followed = await harness.command(['logs', turnId, '--follow']);
    expect(followed.out).toEqual(logLines);
    const recordingPath = join(harness.dataDir, '..', 'recording.jsonl');
    writeFileSync(recordingPath, `${logLines.join('\n')}\n`);

    // From the store, by turn id: no model call, the same tree on a branch of its own.
    const replay = await harness.command(['replay', turnId]);
    expect(replay.err).toEqual([]);
    expect(replay.out.join('\n')).toMatch(
      /all 5 tool results match the recording \(4 model answers played\)/,
    );
    expect(replay.exitCode).toBe(0);
    expect(harness.model.modelRequests()).toHaveLength(modelCalls);
    const replayed = batonBranches(harness).find((branch) => branch !== original) ?? '';
    expect(replayed).not.toBe('');
    expect(harness.repo.git('rev-parse', `${replayed}^{tree}`)).toBe(
      harness.repo.git('rev-parse', `${original}^{tree}`),
    );

    // From the file, with the recorded grep tool answering differently than today's: step 2.
    const tampered = logLines.map((line) => {
      const record = JSON.parse(line) as { payload: { type: string; name?: string; output?: string } };
      if (record.payload.type === 'tool_result' && record.payload.name === 'grep')
        record.payload.output = 'no matches';
      return JSON.stringify(record);
    });
    const changedPath = join(harness.dataDir, '..', 'changed.jsonl');
    writeFileSync(changedPath, `${tampered.join('\n')}\n`);
    const diverged = await harness.command(['replay', changedPath, '--repo', harness.repo.path]);
    expect(diverged.exitCode).toBe(1);
    expect(diverged.out.join('\n')).toMatch(
      /diverged at tool result 2 \(grep, call [^)]+\): the output differs/,
    );

    // At another base the file the agent reads is different: the very first result diverges.
    harness.repo.git('checkout', '--quiet', 'main');
    writeFileSync(join(harness.repo.path, 'src/math.js'), 'export const add = (a, b) => a + b;\n');
    harness.repo.git('commit', '--quiet', '-am', 'rewrite math');
    const moved = harness.repo.git('rev-parse', 'HEAD');
    const elsewhere = await harness.command([
      'replay',
      recordingPath,
      '--repo',
      harness.repo.path,
      '--base',
      moved,
    ]);
    expect(elsewhere.exitCode).toBe(1);
    expect(elsewhere.out.join('\n')).toMatch(/diverged at tool result 1 \(read_file/);
  }, 180_000);

  it('refuses bad input with a line that says what to do', async () => {
    harness = await createCliHarness();
    const badPath = join(harness.dataDir, '..', 'bad.jsonl');
    writeFileSync(badPath, 'not json\n');
    const bad = await harness.command(['replay', badPath]);
    expect(bad.exitCode).toBe(1);
    expect(bad.err.join('\n')).toMatch(/bad\.jsonl:1 is not a session log line/);
    const missing = await harness.command(['replay', 'no-such-turn']);
    expect(missing.err.join('\n')).toMatch(/no turn no-such-turn, and no file of that name/);
    const none = await harness.command(['replay']);
    expect(none.err.join('\n')).toMatch(/missing the turn id or session log file/);
    const noTurn = await harness.command(['logs']);
    expect(noTurn.err.join('\n')).toMatch(/missing the turn id/);
  });
});
