import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema, loadConfig, parseConfig } from '../../../src/config/index.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const examplePath = join(import.meta.dirname, '../../../config/baton.example.yaml');

/** Every key path of an object, e.g. `model.prices`. Records (prices, options) count as leaves. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    ['prices', 'options'].includes(key) ? [`${prefix}${key}`] : keyPaths(child, `${prefix}${key}.`),
  );
}

describe('configuration', () => {
  const temp = createTempDir();
  afterAll(() => temp.cleanup());

  it('accepts the annotated example and it documents every key of the schema', () => {
    const example = parseYaml(readFileSync(examplePath, 'utf8'));
    expect(() => parseConfig(example)).not.toThrow();
    const text = readFileSync(examplePath, 'utf8');
    for (const path of keyPaths(configSchema.parse({}))) {
      const leaf = path.split('.').at(-1) ?? path;
      expect(text, `config/baton.example.yaml should document ${path}`).toContain(`${leaf}:`);
    }
  });

  it('fills defaults for an empty file', () => {
    const config = parseConfig({});
    expect(config.budgets.maxSteps).toBe(60);
    expect(config.middleware.map((entry) => entry.name)).toEqual([
      'lint',
      'test',
      'commit',
      'secret-scan',
      'push',
      'open-pr',
    ]);
    expect(config.sandbox.network).toBe('off');
  });

  it('names the path of a bad key', async () => {
    const path = join(temp.path, 'bad.yaml');
    writeFileSync(path, 'model:\n  timeoutMs: soon\nbudgets:\n  maxSteps: -1\n');
    await expect(loadConfig({ path, required: true })).rejects.toThrow(
      /model\.timeoutMs[\s\S]*budgets\.maxSteps/,
    );
  });

  it('refuses unknown keys with their path, at every level, but not the names inside maps', async () => {
    const path = join(temp.path, 'unknown.yaml');
    writeFileSync(
      path,
      [
        'modle:',
        '  name: gpt-4.1',
        'model:',
        '  timeout: 5000',
        '  prices:',
        '    my-model: { inputPerMillion: 1, outputPerMillion: 2, discount: 3 }',
        'repos:',
        '  - { name: acme/api, url: /srv/api, branch: main }',
        'slack:',
        '  channelRepos: { C123: acme/api }',
        'middleware:',
        '  - { name: lint, options: { anything: true } }',
        '',
      ].join('\n'),
    );
    const error = await loadConfig({ path, required: true }).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(
      error?.message
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .sort(),
    ).toEqual([
      'model.prices.my-model.discount: unknown key',
      'model.timeout: unknown key',
      'modle: unknown key',
      'repos.0.branch: unknown key',
    ]);
    expect(parseConfig({ slack: { channelRepos: { C1: 'a/b' } } }).slack.channelRepos).toEqual({ C1: 'a/b' });
  });

  it('reports YAML syntax errors and a missing explicit file, but not a missing default file', async () => {
    const broken = join(temp.path, 'broken.yaml');
    writeFileSync(broken, 'model: [unclosed\n');
    await expect(loadConfig({ path: broken, required: true })).rejects.toThrow(/not valid YAML/);
    await expect(loadConfig({ path: join(temp.path, 'missing.yaml'), required: true })).rejects.toThrow(
      /Cannot read/,
    );
    await expect(
      loadConfig({ path: join(temp.path, 'missing.yaml'), required: false }),
    ).resolves.toMatchObject({
      repos: [],
    });
  });
});
