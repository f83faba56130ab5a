import type { RepoConfig } from '../src/config/schema.ts';
import type { Sandbox } from '../src/sandbox/types.ts';

export type CheckKind = 'lint' | 'test';

export type CommandSource = 'config' | 'package.json' | 'Makefile' | 'pyproject.toml';

/** What runs for one check, and why: the reason goes to the logs and the PR body. */
export type CommandDetection =
  | { type: 'found'; command: string; source: CommandSource; reason: string }
  | { type: 'disabled'; reason: string }
  | { type: 'none'; reason: string };

export interface DetectCommandsOptions {
  sandbox: Sandbox;
  repo: Pick<RepoConfig, 'name' | 'lint' | 'test'>;
}

type ProjectFiles = Partial<Record<'packageJson' | 'makefile' | 'pyproject', string>>;

/** npm writes this script into every `npm init`; it fails on purpose and is not a test suite. */
const NPM_PLACEHOLDER_TEST = /no test specified/i;

async function readOptional(sandbox: Sandbox, path: string): Promise<string | undefined> {
  try {
    return await sandbox.readFile(path);
  } catch {
    return undefined;
  }
}

async function readProjectFiles(sandbox: Sandbox): Promise<ProjectFiles> {
  const [packageJson, makefile, lowerMakefile, pyproject] = await Promise.all([
    readOptional(sandbox, 'package.json'),
    readOptional(sandbox, 'Makefile'),
    readOptional(sandbox, 'makefile'),
    readOptional(sandbox, 'pyproject.toml'),
  ]);
  return { packageJson, makefile: makefile ?? lowerMakefile, pyproject };
}

function packageScripts(packageJson: string | undefined): Record<string, string> {
  if (packageJson === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(packageJson);
    if (typeof parsed !== 'object' || parsed === null || !('scripts' in parsed)) return {};
    const scripts = parsed.scripts;
    if (typeof scripts !== 'object' || scripts === null) return {};
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(scripts)) if (typeof value === 'string') result[name] = value;
    return result;
  } catch {
    return {};
  }
}

/**
 * Script names that mean the same step when the plain `lint` / `test` script is absent, in tiers:
 * a name that says the step (`check:lint`) wins over a general one (`check`); two in one tier are
 * ambiguous.
 */
const SCRIPT_TIERS: Record<CheckKind, readonly (readonly string[])[]> = {
  lint: [
    ['lint:check', 'check:lint', 'lint:all'],
    ['check', 'typecheck', 'type-check', 'check-types'],
  ],
  test: [
    ['test:unit', 'test:all'],
    ['tests', 'unit', 'spec'],
  ],
};
const SCRIPT_VARIANTS: Record<CheckKind, readonly string[]> = {
  lint: SCRIPT_TIERS.lint.flat(),
  test: SCRIPT_TIERS.test.flat(),
};

function fromPackageJson(kind: CheckKind, files: ProjectFiles): CommandDetection | undefined {
  const scripts = packageScripts(files.packageJson);
  const script = scripts[kind];
  const usable = (name: string) => {
    const body = scripts[name];
    return (
      body !== undefined &&
      body.trim() !== '' &&
      !(name.startsWith('test') && NPM_PLACEHOLDER_TEST.test(body))
    );
  };
  if (script !== undefined && usable(kind)) {
    const command = kind === 'test' ? 'npm test' : 'npm run lint';
    return { type: 'found', command, source: 'package.json', reason: `package.json has a "${kind}" script` };
  }
  const variants =
    SCRIPT_TIERS[kind].map((tier) => tier.filter(usable)).find((tier) => tier.length > 0) ?? [];
  if (variants.length === 1 && variants[0]) {
    const name = variants[0];
    return {
      type: 'found',
      command: `npm run ${name}`,
      source: 'package.json',
      reason: `package.json has no "${kind}" script; "${name}" is its only ${kind} script`,
    };
  }
  if (variants.length > 1)
    return {
      type: 'none',
      reason: `package.json has no "${kind}" script and several that could be one (${variants.join(', ')}); set repos[].${kind} to the command to run`,
    };
  return undefined;
}

function fromMakefile(kind: CheckKind, files: ProjectFiles): CommandDetection | undefined {
  if (files.makefile === undefined) return undefined;
  // A rule line `lint:` or `lint test:`; `lint := x`, `lint ::= x` and `lint = x` are assignments.
  const rule = new RegExp(`^(?:[\\w.-]+[ \\t]+)*${kind}(?:[ \\t]+[\\w.-]+)*[ \\t]*:(?!=|:=)`, 'm');
  if (!rule.test(files.makefile)) return undefined;
  return {
    type: 'found',
    command: `make ${kind}`,
    source: 'Makefile',
    reason: `Makefile has a "${kind}" target`,
  };
}

function hasTomlTable(toml: string, table: string): boolean {
  const escaped = table.replaceAll('.', '\\.');
  return new RegExp(`^\\s*\\[\\s*${escaped}(?:\\s*\\]|\\.)`, 'm').test(toml);
}

function fromPyproject(kind: CheckKind, files: ProjectFiles): CommandDetection | undefined {
  if (files.pyproject === undefined) return undefined;
  if (kind === 'lint' && hasTomlTable(files.pyproject, 'tool.ruff')) {
    return {
      type: 'found',
      command: 'ruff check .',
      source: 'pyproject.toml',
      reason: 'pyproject.toml configures ruff',
    };
  }
  if (kind === 'test' && hasTomlTable(files.pyproject, 'tool.pytest')) {
    return {
      type: 'found',
      command: 'pytest -q',
      source: 'pyproject.toml',
      reason: 'pyproject.toml configures pytest',
    };
  }
  return undefined;
}

function detectFromFiles(kind: CheckKind, files: ProjectFiles): CommandDetection {
  const fromScripts = fromPackageJson(kind, files);
  if (fromScripts?.type === 'found') return fromScripts;
  const found = fromMakefile(kind, files) ?? fromPyproject(kind, files) ?? fromScripts;
  if (found) return found;
  return {
    type: 'none',
    reason: `no ${kind} command configured or found (looked for a "${kind}" script or one of ${SCRIPT_VARIANTS[kind].join(', ')} in package.json, a "${kind}" target in the Makefile, ${kind === 'lint' ? 'ruff' : 'pytest'} in pyproject.toml); set repos[].${kind} to run one`,
  };
}

function fromConfig(kind: CheckKind, repo: DetectCommandsOptions['repo']): CommandDetection | undefined {
  const configured = repo[kind];
  if (configured === false)
    return { type: 'disabled', reason: `${kind} is turned off in the configuration of ${repo.name}` };
  if (typeof configured === 'string') {
    return {
      type: 'found',
      command: configured,
      source: 'config',
      reason: `set in the configuration of ${repo.name}`,
    };
  }
  return undefined;
}

/** Finds the lint and test commands: the repository configuration first, then the project's own files. */
export async function detectCommands(
  options: DetectCommandsOptions,
): Promise<Record<CheckKind, CommandDetection>> {
  const configured = { lint: fromConfig('lint', options.repo), test: fromConfig('test', options.repo) };
  if (configured.lint && configured.test) return { lint: configured.lint, test: configured.test };
  const files = await readProjectFiles(options.sandbox);
  return {
    lint: configured.lint ?? detectFromFiles('lint', files),
    test: configured.test ?? detectFromFiles('test', files),
  };
}

/** The detection for one check. */
export async function detectCommand(
  kind: CheckKind,
  options: DetectCommandsOptions,
): Promise<CommandDetection> {
  return (await detectCommands(options))[kind];
}
