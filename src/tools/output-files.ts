import type { Sandbox } from '../sandbox/types.ts';

/** Git-excluded directory in the workspace where tools keep output the model can page through later. */
export const OUTPUT_DIR = '.baton/output';

/**
 * Next free number per sandbox and prefix. Keyed by the sandbox object, because an explorer subagent
 * shares its parent's sandbox with a fresh tool state and must not overwrite the parent's files.
 */
const counters = new WeakMap<Sandbox, Map<string, number>>();

export async function nextOutputNumber(sandbox: Sandbox, prefix: string): Promise<number> {
  let perPrefix = counters.get(sandbox);
  if (!perPrefix) {
    perPrefix = new Map();
    counters.set(sandbox, perPrefix);
  }
  let last = perPrefix.get(prefix);
  if (last === undefined) last = await highestExisting(sandbox, prefix);
  const next = last + 1;
  perPrefix.set(prefix, next);
  return next;
}

/** A resumed run gets a new sandbox object over the same workspace; continue after files already there. */
async function highestExisting(sandbox: Sandbox, prefix: string): Promise<number> {
  const listing = await sandbox.exec({ cmd: `ls -1 ${OUTPUT_DIR} 2>/dev/null || true` });
  let highest = 0;
  const pattern = new RegExp(`^${prefix.replace(/[^a-zA-Z0-9_]/g, '\\$&')}-(\\d+)\\.`);
  for (const name of listing.stdout.split('\n')) {
    const match = pattern.exec(name);
    if (match?.[1]) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}
