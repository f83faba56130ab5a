import { SETUP_SCRIPT } from './paths.ts';
import { pyprojectRequirements } from './pyproject.ts';
import type { PackageEcosystem, SetupPlan } from './types.ts';

/** What detection may look at: the workspace's files at its start commit, and the sandbox's tools. */
export interface DetectionInput {
  /** A workspace-relative file's text, or undefined when it does not exist. */
  readFile: (path: string) => Promise<string | undefined>;
  /** The names of the files in the workspace root. */
  rootFiles: readonly string[];
  /** Whether a program is on the sandbox's PATH. */
  hasCommand: (name: string) => boolean;
  /** `repos[].setup` from the configuration: commands that replace detection, or false. */
  configured?: readonly string[] | false;
}

/** Every file detection reads; a configured or scripted setup is still keyed by the ones present. */
const MANIFESTS = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'yarn.lock',
  '.yarnrc.yml',
  '.npmrc',
  'uv.lock',
  'pyproject.toml',
  'go.mod',
  'go.sum',
  'Cargo.toml',
  'Cargo.lock',
] as const;

const REQUIREMENTS = /^requirements([-_.][\w.-]+)?\.txt$/;
const NPM_FLAGS = '--no-audit --no-fund';

interface Part {
  commands: string[];
  ecosystem: PackageEcosystem;
  toolchains: string[];
  why: string;
}

/** A package.json that declares no dependency and no workspace has nothing to install. */
function declaresDependencies(packageJson: string): boolean {
  try {
    const parsed = JSON.parse(packageJson) as Record<string, unknown>;
    const fields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
    const hasAny = (value: unknown) =>
      typeof value === 'object' && value !== null && Object.keys(value).length > 0;
    return fields.some((field) => hasAny(parsed[field])) || parsed.workspaces !== undefined;
  } catch {
    // A broken package.json is the package manager's to report.
    return true;
  }
}

function nodePart(files: ReadonlyMap<string, string>, hasCommand: DetectionInput['hasCommand']): Part | null {
  const packageJson = files.get('package.json');
  if (packageJson === undefined) return null;
  const locked = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'].some((name) =>
    files.has(name),
  );
  if (!locked && !declaresDependencies(packageJson)) return null;
  // corepack fetches the manager the project pins (packageManager) when it is not installed.
  const via = (manager: string) => (hasCommand(manager) ? manager : `corepack ${manager}`);
  if (files.has('pnpm-lock.yaml'))
    return {
      commands: [`${via('pnpm')} install --frozen-lockfile`],
      ecosystem: 'npm',
      toolchains: ['node', hasCommand('pnpm') ? 'pnpm' : 'corepack'],
      why: 'pnpm-lock.yaml',
    };
  if (files.has('yarn.lock')) {
    const berry = files.has('.yarnrc.yml');
    return {
      commands: [`${via('yarn')} install ${berry ? '--immutable' : '--frozen-lockfile'}`],
      ecosystem: 'npm',
      toolchains: ['node', hasCommand('yarn') ? 'yarn' : 'corepack'],
      why: 'yarn.lock',
    };
  }
  const lockfile = ['package-lock.json', 'npm-shrinkwrap.json'].find((name) => files.has(name));
  return {
    commands: [lockfile ? `npm ci ${NPM_FLAGS}` : `npm install ${NPM_FLAGS}`],
    ecosystem: 'npm',
    toolchains: ['node', 'npm'],
    why: lockfile ?? 'package.json without a lockfile',
  };
}

function pythonPart(
  files: ReadonlyMap<string, string>,
  requirements: readonly string[],
  hasCommand: DetectionInput['hasCommand'],
): Part | null {
  if (files.has('uv.lock') && hasCommand('uv'))
    return {
      commands: ['uv sync --frozen'],
      ecosystem: 'pypi',
      toolchains: ['uv', 'python3'],
      why: 'uv.lock',
    };
  const pyproject = files.get('pyproject.toml');
  const fromPyproject = pyproject === undefined ? [] : pyprojectRequirements(pyproject);
  if (requirements.length === 0 && pyproject === undefined) return null;
  // The system pip installs into the virtualenv (`--python`): seeding pip into every .venv costs seconds.
  const pip = 'python3 -m pip --python .venv/bin/python install --disable-pip-version-check --no-input';
  const commands = ['python3 -m venv --without-pip .venv'];
  if (requirements.length > 0) commands.push(`${pip} ${requirements.map((file) => `-r ${file}`).join(' ')}`);
  if (fromPyproject.length > 0) commands.push(`${pip} ${fromPyproject.map(shellWord).join(' ')}`);
  return {
    commands,
    ecosystem: 'pypi',
    toolchains: ['python3'],
    why: [...requirements, ...(pyproject === undefined ? [] : ['pyproject.toml'])].join(', '),
  };
}

function shellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function goPart(files: ReadonlyMap<string, string>): Part | null {
  if (!files.has('go.mod')) return null;
  return { commands: ['go mod download'], ecosystem: 'go', toolchains: ['go'], why: 'go.mod' };
}

function rustPart(files: ReadonlyMap<string, string>): Part | null {
  if (!files.has('Cargo.toml')) return null;
  return { commands: ['cargo fetch'], ecosystem: 'cargo', toolchains: ['cargo'], why: 'Cargo.toml' };
}

/**
 * The setup plan: `repos[].setup` from the configuration first (or `false`), then the repository's own
 * script, then detection from manifests and lockfiles. Workspaces (npm, pnpm, yarn, uv) install at the root.
 */
export async function detectSetup(input: DetectionInput): Promise<SetupPlan> {
  const requirements = input.rootFiles.filter((name) => REQUIREMENTS.test(name)).sort();
  const present = new Map<string, string>();
  for (const name of [...MANIFESTS, ...requirements]) {
    if (!input.rootFiles.includes(name)) continue;
    const text = await input.readFile(name);
    if (text !== undefined) present.set(name, text);
  }
  const parts = [
    nodePart(present, input.hasCommand),
    pythonPart(present, requirements, input.hasCommand),
    goPart(present),
    rustPart(present),
  ].filter((part): part is Part => part !== null);
  const keyFiles = [...present.keys()];
  const ecosystems = [...new Set(parts.map((part) => part.ecosystem))];
  const toolchains = [...new Set(parts.flatMap((part) => part.toolchains))];

  if (input.configured === false)
    return {
      source: 'disabled',
      commands: [],
      keyFiles: [],
      ecosystems: [],
      toolchains: [],
      reason: 'setup is turned off in the configuration',
    };
  if (input.configured && input.configured.length > 0)
    return {
      source: 'config',
      commands: [...input.configured],
      keyFiles,
      ecosystems: allEcosystems(ecosystems),
      toolchains,
      reason: 'setup commands from the configuration',
    };
  const script = input.rootFiles.includes('.baton') ? await input.readFile(SETUP_SCRIPT) : undefined;
  if (script !== undefined)
    return {
      source: 'script',
      commands: [`sh ${SETUP_SCRIPT}`],
      keyFiles: [SETUP_SCRIPT, ...keyFiles],
      ecosystems: allEcosystems(ecosystems),
      toolchains,
      reason: `the repository's ${SETUP_SCRIPT}`,
    };
  if (parts.length === 0)
    return {
      source: 'none',
      commands: [],
      keyFiles: [],
      ecosystems: [],
      toolchains: [],
      reason:
        'no manifest or lockfile found (package.json, pyproject.toml, requirements.txt, go.mod, Cargo.toml)',
    };
  return {
    source: 'detected',
    commands: parts.flatMap((part) => part.commands),
    keyFiles,
    ecosystems,
    toolchains,
    reason: `detected from ${parts.map((part) => part.why).join('; ')}`,
  };
}

/** A hand-written setup may use any registry Baton knows the host is configured with. */
function allEcosystems(detected: readonly PackageEcosystem[]): PackageEcosystem[] {
  return [...new Set<PackageEcosystem>([...detected, 'npm', 'pypi', 'go', 'cargo'])];
}
