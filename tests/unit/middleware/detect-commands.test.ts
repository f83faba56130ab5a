import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { detectCommands } from '../../../middleware/detect-commands.ts';
import { createHarness, type Harness } from './harness.ts';

const REPO = { name: 'fixture', lint: undefined, test: undefined };

describe('detectCommands', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ 'README.md': '# fixture\n' });
  });
  afterAll(async () => {
    await harness.cleanup();
  });
  beforeEach(async () => {
    await harness.sh('rm -f package.json Makefile makefile pyproject.toml');
  });

  it('finds npm scripts in package.json', async () => {
    await harness.sandbox.writeFile(
      'package.json',
      JSON.stringify({ scripts: { lint: 'node lint.mjs', test: 'node --test' } }),
    );
    const detected = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(detected.lint).toEqual({
      type: 'found',
      command: 'npm run lint',
      source: 'package.json',
      reason: 'package.json has a "lint" script',
    });
    expect(detected.test).toMatchObject({ type: 'found', command: 'npm test', source: 'package.json' });
  });

  it('takes an unambiguous variant (check:lint, test:unit); several candidates skip with what to configure', async () => {
    await harness.sandbox.writeFile(
      'package.json',
      JSON.stringify({
        scripts: { check: 'npm run check:lint', 'check:lint': 'eslint .', 'test:unit': 'jest' },
      }),
    );
    const single = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(single.lint).toMatchObject({ type: 'found', command: 'npm run check:lint' });
    expect(single.test).toMatchObject({ type: 'found', command: 'npm run test:unit' });
    await harness.sandbox.writeFile(
      'package.json',
      JSON.stringify({
        scripts: { check: 'biome check', typecheck: 'tsc --noEmit', 'test:unit': 'x', 'test:all': 'y' },
      }),
    );
    const several = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(several.lint).toEqual({
      type: 'none',
      reason:
        'package.json has no "lint" script and several that could be one (check, typecheck); set repos[].lint to the command to run',
    });
    expect(several.test).toMatchObject({
      type: 'none',
      reason: expect.stringContaining('(test:unit, test:all); set repos[].test'),
    });
  });

  it("skips npm's placeholder test script and falls through to the Makefile", async () => {
    await harness.sandbox.writeFile(
      'package.json',
      JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }),
    );
    await harness.sandbox.writeFile(
      'Makefile',
      '.PHONY: lint test\nVERSION := 1\nlint: deps\n\techo lint\ntest:\n\techo test\n',
    );
    const detected = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(detected.test).toMatchObject({ type: 'found', command: 'make test', source: 'Makefile' });
    expect(detected.lint).toMatchObject({ type: 'found', command: 'make lint', source: 'Makefile' });
  });

  it('does not take a Makefile variable or a look-alike target for a target', async () => {
    await harness.sandbox.writeFile('Makefile', 'lint := eslint\ntest-all:\n\techo all\n.PHONY: lint test\n');
    const detected = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(detected.lint.type).toBe('none');
    expect(detected.test.type).toBe('none');
  });

  it('finds ruff and pytest configured in pyproject.toml', async () => {
    await harness.sandbox.writeFile(
      'pyproject.toml',
      '[project]\nname = "x"\n\n[tool.ruff.lint]\nselect = ["E"]\n\n[tool.pytest.ini_options]\naddopts = "-q"\n',
    );
    const detected = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(detected.lint).toMatchObject({ type: 'found', command: 'ruff check .', source: 'pyproject.toml' });
    expect(detected.test).toMatchObject({ type: 'found', command: 'pytest -q', source: 'pyproject.toml' });
  });

  it('reports none, with where it looked, when nothing is there', async () => {
    await harness.sandbox.writeFile('pyproject.toml', '[project]\nname = "x"\n');
    const detected = await detectCommands({ sandbox: harness.sandbox, repo: REPO });
    expect(detected.lint.type).toBe('none');
    expect(detected.lint.reason).toContain('package.json');
    expect(detected.test.reason).toContain('pytest');
  });

  it('prefers the repository configuration, and `false` turns a check off', async () => {
    await harness.sandbox.writeFile('package.json', JSON.stringify({ scripts: { lint: 'x', test: 'y' } }));
    const detected = await detectCommands({
      sandbox: harness.sandbox,
      repo: { name: 'fixture', lint: 'node tools/lint.mjs', test: false },
    });
    expect(detected.lint).toMatchObject({ type: 'found', command: 'node tools/lint.mjs', source: 'config' });
    expect(detected.test).toEqual({
      type: 'disabled',
      reason: 'test is turned off in the configuration of fixture',
    });
  });
});
