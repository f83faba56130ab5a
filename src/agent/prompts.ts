import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Prompts {
  system: string;
  explorer: string;
  writer: string;
  compaction: string;
}

/** The repository's own prompts/ directory. */
export const defaultPromptsDir = fileURLToPath(new URL('../../prompts/', import.meta.url));

/** The prompts are static text: no timestamps or run ids, so the request prefix stays cacheable. */
export async function loadPrompts(promptsDir: string = defaultPromptsDir): Promise<Prompts> {
  const read = (name: string) => readFile(join(promptsDir, name), 'utf8');
  const [system, explorer, writer, compaction] = await Promise.all([
    read('system.md'),
    read('subagent-explore.md'),
    read('subagent-write.md'),
    read('compaction.md'),
  ]);
  return { system, explorer, writer, compaction };
}
