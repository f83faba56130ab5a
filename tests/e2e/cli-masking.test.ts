import { generateKeyPairSync } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, createCliHarness, HOST_SECRETS } from './cli-harness.ts';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
/** Values the composition root reads from the environment; most of them look like nothing in particular. */
const PLANTED = {
  E2B_API_KEY: 'e2b-plain-cli-value-0a1b2c3d4e5f',
  SLACK_SIGNING_SECRET: 'plain-signing-secret-cli-98c7b6a5',
  GITHUB_WEBHOOK_SECRET: 'plain-webhook-secret-cli-1f2e3d4c',
  LINEAR_WEBHOOK_SECRET: 'plain-linear-secret-cli-5b6a7c8d',
  // With `\n` escapes, as the README allows.
  GITHUB_APP_PRIVATE_KEY: PEM.replaceAll('\n', '\\n'),
};

function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) return filesUnder(path);
    return stat.isFile() ? [{ path, bytes: readFileSync(path) }] : [];
  });
}

describe('baton run --json masks every secret value it holds in its output and its data directory', () => {
  let harness: CliHarness;
  beforeAll(async () => {
    harness = await createCliHarness({
      env: PLANTED,
      config: { middleware: [{ name: 'commit' }, { name: 'secret-scan' }, { name: 'push' }] },
    });
  });
  afterAll(async () => harness?.close());

  const values = (): [string, string][] => {
    const pemLines = PEM.split('\n').filter((line) => line.length >= 8 && !line.startsWith('-----'));
    const plain: [string, string][] = [
      ...Object.entries(HOST_SECRETS),
      ...Object.entries(PLANTED).filter(([name]) => name !== 'GITHUB_APP_PRIVATE_KEY'),
      ...pemLines.map((line, index): [string, string] => [`PEM line ${index + 1}`, line]),
    ];
    return plain.flatMap(([name, value]): [string, string][] => [
      [name, value],
      [`${name} (base64)`, Buffer.from(value).toString('base64')],
    ]);
  };

  it('prints masks where the model wrote the values; nothing under the data directory holds one', async () => {
    const forms = values();
    const all = forms.map(([, value]) => value).join(' ');
    const script = () => [
      {
        type: 'tool_calls' as const,
        calls: [
          { name: 'write_file', arguments: { path: 'leak.txt', content: `${all}\n` } },
          // Assembled from pieces no mask knows: only the secret scan can catch the file.
          {
            name: 'run_command',
            arguments: {
              command: `printf '%s%s\\n' '${PLANTED.E2B_API_KEY.slice(0, 6)}' '${PLANTED.E2B_API_KEY.slice(6)}' > assembled.txt; cat assembled.txt`,
            },
          },
          {
            name: 'run_command',
            arguments: { command: `echo ${forms.map(([, value]) => `'${value}'`).join(' ')}` },
          },
        ],
      },
      // A reply without a tool call ends the loop: it becomes the summary and the commit message.
      { type: 'text' as const, content: `Here they are: ${all}` },
    ];
    // --json: every item as a JSON line; the terminal lines are the same masker's output.
    harness.model.enqueue(...script());
    const run = await harness.run('print the secrets', { json: true });
    const terminal = [...run.out, ...run.err].join('\n');
    expect(terminal).toContain('"type":"tool_result"');
    const steps = run.out
      .map((line) => JSON.parse(line) as { payload: { type: string; name?: string; status?: string } })
      .filter((item) => item.payload.type === 'middleware_step')
      .map((item) => `${item.payload.name}:${item.payload.status}`);
    expect(steps).toEqual(['commit:passed', 'secret-scan:blocked']);
    expect(terminal).toContain('assembled.txt:1 (known-secret (E2B_API_KEY))');
    expect(terminal).not.toContain('leak.txt:'); // what the model wrote was masked before it was written
    expect(terminal).toContain('[redacted]');
    for (const [name, value] of forms) expect(terminal.includes(value), `${name} in the output`).toBe(false);
    const files = filesUnder(harness.dataDir);
    expect(files.some((file) => file.path.endsWith(join('logs', 'baton.log')))).toBe(true);
    for (const file of files) {
      for (const [name, value] of forms) {
        expect(file.bytes.includes(Buffer.from(value)), `${name} in ${file.path}`).toBe(false);
      }
    }
  });
});
