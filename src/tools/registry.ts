import { z } from 'zod';
import type { ToolSpec } from '../model/types.ts';
import { applyPatchTool } from './apply-patch.ts';
import { askTool } from './ask.ts';
import { commandStatusTool } from './command-status.ts';
import {
  bindDescription,
  DEFAULT_TOOL_PROMPTS_DIR,
  loadToolDescription,
  type ToolDefinition,
} from './define-tool.ts';
import { editFileTool } from './edit-file.ts';
import { fetchUrlTool } from './fetch-url.ts';
import { finishTool } from './finish.ts';
import { globTool } from './glob.ts';
import { grepTool } from './grep.ts';
import { listFilesTool } from './list-files.ts';
import { readFileTool } from './read-file.ts';
import { replyTool } from './reply.ts';
import { runCommandTool } from './run-command.ts';
import { taskTool } from './task.ts';
import { todoTool } from './todo.ts';
import type { Tool } from './types.ts';
import { viewDiffTool } from './view-diff.ts';
import { writeFileTool } from './write-file.ts';

/** Every built-in tool, in the order the model sees them. Never reorder casually: prompt caching keys on it. */
export const ALL_TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  readFileTool,
  listFilesTool,
  globTool,
  grepTool,
  editFileTool,
  writeFileTool,
  applyPatchTool,
  runCommandTool,
  commandStatusTool,
  viewDiffTool,
  todoTool,
  taskTool,
  fetchUrlTool,
  replyTool,
  askTool,
  finishTool,
];

export interface ToolRegistryOptions {
  /** Directory of NAME.md descriptions. Default: the repository's prompts/tools. */
  promptsDir?: string;
  /** Only these tools (the order stays the built-in order). */
  include?: readonly string[];
  /** All tools but these. */
  exclude?: readonly string[];
  /** Replaces the built-in definitions (tests, custom deployments); same order rules. */
  definitions?: readonly ToolDefinition[];
}

export interface ToolRegistry {
  readonly tools: readonly Tool[];
  get(name: string): Tool | undefined;
  /** What the model is told; computed once, so every call returns byte-identical specs. */
  specs(): readonly ToolSpec[];
}

export function createToolRegistry(options: ToolRegistryOptions = {}): ToolRegistry {
  const definitions = options.definitions ?? ALL_TOOL_DEFINITIONS;
  const known = new Set(definitions.map((definition) => definition.name));
  for (const name of [...(options.include ?? []), ...(options.exclude ?? [])]) {
    if (!known.has(name)) throw new Error(`Unknown tool "${name}"; known tools: ${[...known].join(', ')}`);
  }
  const selected = definitions.filter(
    (definition) =>
      (!options.include || options.include.includes(definition.name)) &&
      !options.exclude?.includes(definition.name),
  );
  const promptsDir = options.promptsDir ?? DEFAULT_TOOL_PROMPTS_DIR;
  const tools: Tool[] = selected.map((definition) =>
    bindDescription(definition, loadToolDescription(definition.name, promptsDir)),
  );
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const specs: readonly ToolSpec[] = Object.freeze(tools.map(toToolSpec));
  return { tools, get: (name) => byName.get(name), specs: () => specs };
}

/** The explorer subagent's tools: everything that only reads, plus `finish` to hand back its answer. */
export function createExplorerToolRegistry(
  options: Omit<ToolRegistryOptions, 'include' | 'exclude'> = {},
): ToolRegistry {
  const definitions = options.definitions ?? ALL_TOOL_DEFINITIONS;
  const include = definitions
    .filter((definition) => definition.effect === 'read' || definition.name === 'finish')
    .map((definition) => definition.name);
  return createToolRegistry({ ...options, include });
}

export function toToolSpec(tool: Tool): ToolSpec {
  const { $schema: _schema, ...parameters } = z.toJSONSchema(tool.parameters, { io: 'input' }) as Record<
    string,
    unknown
  >;
  return { name: tool.name, description: tool.description, parameters };
}
