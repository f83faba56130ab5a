#!/usr/bin/env node
// Before the test suite: the Postgres server the multi-worker tests use must be reachable
// (BATON_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test). Starts a local
// cluster that is installed but stopped; otherwise prints the exact fix. Plain JavaScript, no deps.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { ensureBrowser } from './ensure-browser.mjs';

const url = new URL(process.env.BATON_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
const host = url.hostname || '127.0.0.1';
const port = Number(url.port || 5432);

function reachable() {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function startLocalCluster() {
  let versions = [];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    return false;
  }
  for (const version of versions) {
    console.log(`ensure-test-services: starting PostgreSQL ${version} (pg_ctlcluster ${version} main start)`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  return versions.length > 0;
}

async function waitReachable(attempts) {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await reachable()) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

// The dashboard's browser tests drive Debian's Chromium.
if (ensureBrowser() !== 0) process.exit(1);
if (await reachable()) process.exit(0);
if (['127.0.0.1', 'localhost'].includes(host) && startLocalCluster() && (await waitReachable(20)))
  process.exit(0);
console.error(
  `ensure-test-services: no PostgreSQL at ${host}:${port}. Fix: sudo apt-get install -y postgresql && ` +
    'sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
    '(trust auth for 127.0.0.1 and a database named test), or set BATON_TEST_DATABASE_URL.',
);
process.exit(1);
