#!/usr/bin/env node
// Checks (and, as root with apt-get, installs) what the local sandbox needs from the system:
// bubblewrap that can create a sandbox, also as the unprivileged sandbox user when run by root.
// With --dev also python3-seccomp, which the tests use to check the committed seccomp filters
// against a regeneration (Baton itself does not need it). Plain JavaScript with no dependencies,
// because it runs before `npm install` or tsx may be usable.
// Usage: node src/cli/ensure-system.mjs [--bwrap PATH] [--no-install] [--dev]
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const INSTALL_HINT = 'sudo apt-get install -y bubblewrap';
const USERNS_HINT =
  'sudo sysctl -w kernel.unprivileged_userns_clone=1   (Debian; on Ubuntu 24.04+: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)';

/** The uid the root probe drops to: Baton's default sandbox uid (sandbox.uid). */
const SANDBOX_UID = 65532;

/**
 * Runs bwrap the way Baton does (all namespaces unshared, a user namespace included); as root, also
 * as the unprivileged sandbox uid, as Baton starts it. Returns `missing`, `broken` or `ok`.
 */
export function probeBubblewrap(bwrap) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const result = spawnSync(
    bwrap,
    [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--ro-bind',
      '/',
      '/',
      'true',
    ],
    {
      encoding: 'utf8',
      timeout: 10_000,
      cwd: '/',
      ...(isRoot ? { uid: SANDBOX_UID, gid: SANDBOX_UID } : {}),
    },
  );
  if (result.error && result.error.code === 'ENOENT') return { state: 'missing', detail: '' };
  if (result.error || result.status !== 0) {
    return {
      state: 'broken',
      detail: (result.stderr || String(result.error ?? '')).trim().split('\n')[0] ?? '',
    };
  }
  return { state: 'ok', detail: '' };
}

function canInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function install(packageName) {
  console.log(
    `ensure-system: ${packageName} is missing; installing it: apt-get update -qq && apt-get install -y -qq ${packageName}`,
  );
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  if (update.status !== 0) return false;
  const result = spawnSync('apt-get', ['install', '-y', '-qq', packageName], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/** Returns the process exit code: 0 when the sandbox can run, 1 with the fix printed otherwise. */
export function ensureSystem(options = {}) {
  const bwrap = options.bwrap ?? 'bwrap';
  const allowInstall = options.install ?? true;
  let probe = probeBubblewrap(bwrap);
  if (probe.state === 'missing' && allowInstall && canInstall()) {
    if (install('bubblewrap')) probe = probeBubblewrap(bwrap);
  }
  if (probe.state === 'missing') {
    console.error(`ensure-system: bubblewrap (bwrap) is not installed. Fix: ${INSTALL_HINT}`);
    return 1;
  }
  if (probe.state === 'broken') {
    console.error(`ensure-system: bubblewrap cannot create a sandbox (${probe.detail}). Fix: ${USERNS_HINT}`);
    return 1;
  }
  if (options.dev && !hasSeccompPython()) {
    if (!(allowInstall && canInstall() && install('python3-seccomp') && hasSeccompPython())) {
      console.error(
        'ensure-system: python3-seccomp is missing (the tests check the seccomp filters with it). Fix: sudo apt-get install -y python3-seccomp',
      );
      return 1;
    }
  }
  return 0;
}

function hasSeccompPython() {
  return spawnSync('/usr/bin/python3', ['-c', 'import seccomp'], { stdio: 'ignore' }).status === 0;
}

function parseArguments(argv) {
  const options = {};
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === '--bwrap') options.bwrap = argv[++index];
    else if (argv[index] === '--no-install') options.install = false;
    else if (argv[index] === '--dev') options.dev = true;
  }
  return options;
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = ensureSystem(parseArguments(process.argv.slice(2)));
