import { describe, expect, it } from 'vitest';
import { detectSetup } from '../../../src/sandbox/environment/detect.ts';
import { environmentKey } from '../../../src/sandbox/environment/key.ts';
import { pyprojectRequirements } from '../../../src/sandbox/environment/pyproject.ts';

const withDeps = JSON.stringify({ name: 'a', devDependencies: { jest: '^29' } });

function detect(
  files: Record<string, string>,
  options: { has?: string[]; configured?: string[] | false } = {},
) {
  return detectSetup({
    readFile: async (path) => files[path],
    rootFiles: Object.keys(files).map((path) => path.split('/')[0] ?? path),
    hasCommand: (name) => (options.has ?? []).includes(name),
    configured: options.configured,
  });
}

describe('setup detection from the files at the start commit', () => {
  it('npm: a lockfile means npm ci, none means npm install; nothing to install means no setup', async () => {
    expect((await detect({ 'package.json': withDeps, 'package-lock.json': '{}' })).commands).toEqual([
      'npm ci --no-audit --no-fund',
    ]);
    expect((await detect({ 'package.json': withDeps })).commands).toEqual([
      'npm install --no-audit --no-fund',
    ]);
    const bare = await detect({
      'package.json': JSON.stringify({ name: 'a', scripts: { test: 'node --test' } }),
    });
    expect(bare).toMatchObject({ source: 'none', commands: [] });
    expect(bare.reason).toContain('no manifest or lockfile');
  });

  it('pnpm and yarn install frozen, through corepack when the manager is missing', async () => {
    expect((await detect({ 'package.json': withDeps, 'pnpm-lock.yaml': '' })).commands).toEqual([
      'corepack pnpm install --frozen-lockfile',
    ]);
    expect(
      (await detect({ 'package.json': withDeps, 'pnpm-lock.yaml': '' }, { has: ['pnpm'] })).commands,
    ).toEqual(['pnpm install --frozen-lockfile']);
    expect((await detect({ 'package.json': withDeps, 'yarn.lock': '' })).commands).toEqual([
      'corepack yarn install --frozen-lockfile',
    ]);
    expect((await detect({ 'package.json': withDeps, 'yarn.lock': '', '.yarnrc.yml': '' })).commands).toEqual(
      ['corepack yarn install --immutable'],
    );
  });

  it('Python: uv sync where uv exists, else a .venv with pip; Go and Rust fetch', async () => {
    expect((await detect({ 'uv.lock': '', 'pyproject.toml': '' }, { has: ['uv'] })).commands).toEqual([
      'uv sync --frozen',
    ]);
    const pip = await detect({ 'requirements.txt': 'requests\n', 'requirements-dev.txt': 'pytest\n' });
    expect(pip.commands).toEqual([
      'python3 -m venv --without-pip .venv',
      'python3 -m pip --python .venv/bin/python install --disable-pip-version-check --no-input -r requirements-dev.txt -r requirements.txt',
    ]);
    expect(pip.keyFiles).toEqual(['requirements-dev.txt', 'requirements.txt']);
    expect((await detect({ 'go.mod': 'module x' })).commands).toEqual(['go mod download']);
    expect((await detect({ 'Cargo.toml': '[package]' })).commands).toEqual(['cargo fetch']);
  });

  it('configuration replaces detection or turns it off; the repository script comes next', async () => {
    const files = { 'package.json': withDeps, 'package-lock.json': '{}', '.baton/setup.sh': 'make deps' };
    const configured = await detect(files, { configured: ['make deps'] });
    expect(configured).toMatchObject({ source: 'config', commands: ['make deps'] });
    expect(configured.keyFiles).toContain('package-lock.json');
    expect(await detect(files, { configured: false })).toMatchObject({ source: 'disabled', commands: [] });
    const script = await detect(files);
    expect(script).toMatchObject({ source: 'script', commands: ['sh .baton/setup.sh'] });
    expect(script.keyFiles[0]).toBe('.baton/setup.sh');
  });

  it('the key follows the lockfile, the commands and the toolchains, not the order of reading', () => {
    const plan = { commands: ['npm ci'], keyFiles: ['package.json', 'package-lock.json'] };
    const files = new Map([
      ['package.json', '{"a":1}'],
      ['package-lock.json', '{"v":1}'],
    ]);
    const key = environmentKey({ repo: 'r', plan, files, toolchains: { node: 'v20' } });
    expect(
      environmentKey({
        repo: 'r',
        plan: { ...plan, keyFiles: [...plan.keyFiles].reverse() },
        files,
        toolchains: { node: 'v20' },
      }),
    ).toBe(key);
    expect(
      environmentKey({
        repo: 'r',
        plan,
        files: new Map([...files, ['package-lock.json', '{"v":2}']]),
        toolchains: { node: 'v20' },
      }),
    ).not.toBe(key);
    expect(environmentKey({ repo: 'r', plan, files, toolchains: { node: 'v22' } })).not.toBe(key);
    expect(
      environmentKey({
        repo: 'r',
        plan: { ...plan, commands: ['npm install'] },
        files,
        toolchains: { node: 'v20' },
      }),
    ).not.toBe(key);
    expect(environmentKey({ repo: 'other', plan, files, toolchains: { node: 'v20' } })).not.toBe(key);
  });

  it('pyproject: dependencies plus the test extras and groups', () => {
    const toml = [
      '[project]',
      'name = "x"',
      'dependencies = ["requests>=2", \'click\']',
      '[project.optional-dependencies]',
      'test = [',
      '  "pytest",  # the runner',
      ']',
      'docs = ["sphinx"]',
      '[dependency-groups]',
      'dev = ["ruff"]',
    ].join('\n');
    expect(pyprojectRequirements(toml)).toEqual(['requests>=2', 'click', 'pytest', 'ruff']);
  });
});
