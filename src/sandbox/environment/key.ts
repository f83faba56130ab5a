import { createHash } from 'node:crypto';
import type { SetupPlan } from './types.ts';

/** Bump when the snapshot's layout or the meaning of a key changes: old entries are then never used. */
const KEY_VERSION = 1;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The environment key: the repository, the setup commands, the contents of every file detection read
 * and the versions of the toolchains that run them. Equal keys mean an equal environment.
 */
export function environmentKey(input: {
  repo: string;
  plan: Pick<SetupPlan, 'commands' | 'keyFiles'>;
  /** The key files' contents, by path (a missing file is absent from the map). */
  files: ReadonlyMap<string, string>;
  toolchains: Readonly<Record<string, string>>;
}): string {
  const files = [...input.plan.keyFiles].sort().map((path) => [path, sha256(input.files.get(path) ?? '')]);
  const toolchains = Object.entries(input.toolchains).sort(([a], [b]) => a.localeCompare(b));
  const material = JSON.stringify({
    version: KEY_VERSION,
    repo: input.repo,
    commands: input.plan.commands,
    files,
    toolchains,
  });
  return sha256(material).slice(0, 32);
}

/** The key files' contents as they are now; the key of a later moment is compared with the first. */
export async function readKeyFiles(
  keyFiles: readonly string[],
  readFile: (path: string) => Promise<string | undefined>,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const path of keyFiles) {
    const text = await readFile(path);
    if (text !== undefined) files.set(path, text);
  }
  return files;
}
