import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_DIR = fileURLToPath(new URL('../../fixtures/repos/node-project', import.meta.url));

function readTree(directory: string, files: Record<string, string>): Record<string, string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) readTree(path, files);
    else files[relative(PROJECT_DIR, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

/**
 * tests/fixtures/repos/node-project: a Node project whose lint and test need no install (the
 * sandbox has no network). `npm run lint` refuses `var`, `npm test` runs `node --test`, and `sum`
 * starts out wrong.
 */
export const NODE_PROJECT: Record<string, string> = readTree(PROJECT_DIR, {});

export const FIXED_SUM = 'export const sum = (a, b) => a + b;\n';
