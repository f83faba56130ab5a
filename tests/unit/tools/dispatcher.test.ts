import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../../src/observability/logger.ts';
import { defineTool } from '../../../src/tools/define-tool.ts';
import { executeToolCall } from '../../../src/tools/execute-tool-call.ts';
import { createToolRegistry } from '../../../src/tools/registry.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';
import { createToolHarness, errorOf, outputOf, type ToolHarness } from './tool-harness.ts';

describe('executeToolCall', () => {
  let harness: ToolHarness;
  beforeAll(async () => {
    harness = await createToolHarness({ 'src/app.ts': 'export const app = 1;\n' });
  });
  afterAll(async () => harness?.dispose());

  const raw = (name: string, argumentsText: string) =>
    executeToolCall(harness.registry, { id: 'call_raw', name, arguments: argumentsText }, harness.context);

  it('answers invalid JSON with the parse error and asks for valid JSON', async () => {
    const { error, hint } = errorOf(await raw('read_file', '{"path": "src/app.ts"'));
    expect(error).toMatch(/^The arguments for read_file are not valid JSON: .*JSON/);
    expect(hint).toContain('valid JSON object');
  });

  it('lists every invalid field and what was expected', async () => {
    const { error } = errorOf(await raw('read_file', JSON.stringify({ path: 5, limit: 'ten' })));
    expect(error).toContain('Invalid arguments for read_file:');
    expect(error).toMatch(/- path: .*expected string/);
    expect(error).toMatch(/- limit: .*expected number/);
    const missing = errorOf(await raw('edit_file', JSON.stringify({ path: 'src/app.ts' }))).error;
    expect(missing).toMatch(/- old_string: .*expected string/);
    expect(missing).toMatch(/- new_string: .*expected string/);
  });

  it('names the available tools for an unknown tool', async () => {
    const { error, hint } = errorOf(await raw('delete_everything', '{}'));
    expect(error).toBe('There is no tool named "delete_everything".');
    expect(hint).toContain('read_file, list_files, glob, grep');
    expect(hint).toContain('finish');
  });

  it('turns a thrown exception into an error result; the stack goes only to the log', async () => {
    const prompts = createTempDir('baton-prompts-');
    writeFileSync(join(prompts.path, 'explode.md'), 'Always throws.');
    const explode = defineTool({
      name: 'explode',
      parameters: z.object({}),
      effect: 'read',
      async execute() {
        throw new Error('kaboom');
      },
    });
    const registry = createToolRegistry({ promptsDir: prompts.path, definitions: [explode] });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const log = createLogger({ level: 'error', destination });
    const result = await executeToolCall(
      registry,
      { id: 'c1', name: 'explode', arguments: '{}' },
      { ...harness.context, log },
    );
    prompts.cleanup();
    const { error } = errorOf(result);
    expect(error).toBe('explode failed: kaboom');
    expect(error).not.toContain('at ');
    expect(lines.join('')).toContain('kaboom');
    expect(lines.join('')).toMatch(/"stack":"Error: kaboom\\n\s+at /);
  });

  it('cuts long output to the limit, saves it whole, and read_file pages through the saved copy', async () => {
    const result = await harness.call('run_command', { command: 'seq 1 20000' });
    expect(result.ok && result.truncated).toBe(true);
    const output = outputOf(result);
    expect(output.length).toBeLessThanOrEqual(harness.context.outputLimit);
    expect(output.startsWith('Exit code: 0\n--- stdout ---\n1\n2\n3\n')).toBe(true);
    expect(output.endsWith('19999\n20000')).toBe(true);
    const savedAt = /saved at (\S+\.txt);/.exec(output)?.[1];
    expect(savedAt).toBe('.baton/output/run_command-1.txt');
    // Output line n + 2 holds the number n (after the exit code and the stdout header).
    const page = outputOf(await harness.call('read_file', { path: savedAt, offset: 15002, limit: 1 }));
    expect(page.split('\n')[0]).toBe(' 15002\t15000');
    const found = outputOf(await harness.call('grep', { pattern: '^12345$', path: savedAt }));
    expect(found).toContain('  12347: 12345');
  });

  it('redacts credential-shaped text from tool output', async () => {
    const token = `ghp_${'a1B2'.repeat(9)}`;
    const output = outputOf(await harness.call('run_command', { command: `echo ${token}` }));
    expect(output).toContain('[redacted]');
    expect(output).not.toContain(token);
  });

  it('keeps long errors within the limit too', async () => {
    const context = { ...harness.context, outputLimit: 1000 };
    const pattern = `(${'x'.repeat(3000)}`;
    const result = await executeToolCall(
      harness.registry,
      { id: 'c2', name: 'grep', arguments: JSON.stringify({ pattern }) },
      context,
    );
    const { error, hint } = errorOf(result);
    expect(error.length + hint.length).toBeLessThanOrEqual(1000);
    expect(error).toContain('error truncated');
  });
});
