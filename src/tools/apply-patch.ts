import { z } from 'zod';
import type { Sandbox } from '../sandbox/types.ts';
import { defineTool } from './define-tool.ts';
import { normalizePatch } from './normalize-patch.ts';
import { failure, success } from './tool-result.ts';
import type { ToolResult } from './types.ts';

const parameters = z.object({
  patch: z
    .string()
    .min(1)
    .describe(
      'A unified diff with paths relative to the workspace root (a/ and b/ prefixes as git writes them).',
    ),
});

export interface PatchOutcome {
  applied: boolean;
  files: string[];
  message: string;
}

export const applyPatchTool = defineTool({
  name: 'apply_patch',
  parameters,
  effect: 'write',
  async execute(args, context): Promise<ToolResult> {
    const outcome = await applyPatchInSandbox(context.sandbox, args.patch, context.signal);
    if (!outcome.applied) {
      return failure(
        `The patch did not apply; nothing was changed.\n${outcome.message}`,
        'Context lines must match the file exactly. Re-read the files with read_file and regenerate the patch, or make the change with edit_file.',
      );
    }
    return success(
      `Applied the patch. Files changed:\n${outcome.files.map((file) => `  ${file}`).join('\n')}`,
    );
  },
});

/** Also used by `task` to bring a writer subagent's patch into the parent's workspace. */
export async function applyPatchInSandbox(
  sandbox: Pick<Sandbox, 'exec'>,
  patch: string,
  signal?: AbortSignal,
): Promise<PatchOutcome> {
  const result = await sandbox.exec({
    cmd: 'git apply --recount --whitespace=nowarn --verbose -p1 -',
    stdin: normalizePatch(patch),
    signal,
  });
  const output = `${result.stderr}\n${result.stdout}`;
  const files = [...output.matchAll(/^Applied patch (.+?) cleanly\.$/gm)].map((match) => match[1] ?? '');
  if (result.exitCode !== 0) {
    const message = output
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('Checking patch'))
      .join('\n')
      .trim();
    return { applied: false, files: [], message: message || `git apply exited with ${result.exitCode}` };
  }
  return { applied: true, files, message: output.trim() };
}
