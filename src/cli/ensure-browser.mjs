#!/usr/bin/env node
// Before the test suite: the dashboard's browser tests drive Debian's Chromium (/usr/bin/chromium)
// with playwright-core. Installs it when run as root with apt-get, otherwise prints the command.
// Plain JavaScript with no dependencies. Usage: node src/cli/ensure-browser.mjs [--no-install]
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const INSTALL_HINT = 'sudo apt-get install -y chromium';

function canInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function install() {
  console.log(
    'ensure-browser: chromium is missing; installing it: apt-get update -qq && apt-get install -y -qq chromium',
  );
  if (spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' }).status !== 0) return false;
  const result = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/** Returns the exit code: 0 when Chromium is there (or was installed), 1 with the fix printed. */
export function ensureBrowser(options = {}) {
  if (existsSync(CHROMIUM_PATH)) return 0;
  if ((options.install ?? true) && canInstall() && install() && existsSync(CHROMIUM_PATH)) return 0;
  console.error(
    `ensure-browser: Chromium (${CHROMIUM_PATH}) is not installed; the dashboard's browser tests need it. Fix: ${INSTALL_HINT}`,
  );
  return 1;
}

const invokedDirectly = process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = ensureBrowser({ install: !process.argv.includes('--no-install') });
