import { describe, expect, it } from 'vitest';
import { createExplorerToolRegistry, createToolRegistry } from '../../../src/tools/registry.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const ALL = [
  'read_file',
  'list_files',
  'glob',
  'grep',
  'edit_file',
  'write_file',
  'apply_patch',
  'run_command',
  'command_status',
  'view_diff',
  'todo',
  'task',
  'fetch_url',
  'reply',
  'ask',
  'finish',
];

describe('tool registry', () => {
  it('holds every tool in a fixed order with descriptions and object schemas', () => {
    const registry = createToolRegistry();
    expect(registry.tools.map((tool) => tool.name)).toEqual(ALL);
    for (const spec of registry.specs()) {
      expect(spec.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(spec.description.length).toBeGreaterThan(40);
      expect(spec.parameters.type).toBe('object');
      expect(spec.parameters).not.toHaveProperty('$schema');
    }
    const readFile = registry.specs()[0];
    expect(readFile?.parameters).toMatchObject({
      properties: { path: { type: 'string' }, offset: { type: 'integer' }, limit: { type: 'integer' } },
      required: ['path'],
    });
  });

  it('produces byte-identical specs across calls and registries (prompt caching)', () => {
    const first = createToolRegistry();
    const second = createToolRegistry();
    const text = JSON.stringify(first.specs());
    expect(JSON.stringify(first.specs())).toBe(text);
    expect(JSON.stringify(second.specs())).toBe(text);
  });

  it('keeps the built-in order for include and exclude', () => {
    const included = createToolRegistry({ include: ['finish', 'grep', 'read_file'] });
    expect(included.specs().map((spec) => spec.name)).toEqual(['read_file', 'grep', 'finish']);
    expect(included.get('run_command')).toBeUndefined();
    const excluded = createToolRegistry({ exclude: ['task', 'ask', 'reply'] });
    expect(excluded.tools.map((tool) => tool.name)).toEqual(
      ALL.filter((name) => !['task', 'ask', 'reply'].includes(name)),
    );
  });

  it('gives the explorer only read tools and finish', () => {
    expect(createExplorerToolRegistry().tools.map((tool) => tool.name)).toEqual([
      'read_file',
      'list_files',
      'glob',
      'grep',
      'view_diff',
      'finish',
    ]);
  });

  it('refuses unknown tool names and a missing description file', () => {
    expect(() => createToolRegistry({ include: ['read_fil'] })).toThrow('Unknown tool "read_fil"');
    const empty = createTempDir('baton-prompts-');
    expect(() => createToolRegistry({ promptsDir: empty.path })).toThrow(
      /description of tool "read_file" is missing/,
    );
    empty.cleanup();
  });
});
