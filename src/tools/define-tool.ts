import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Tool, ToolContext, ToolEffect, ToolResult } from './types.ts';

/** A tool as its file defines it; the description is attached by the registry from prompts/tools/NAME.md. */
export interface ToolDefinition<Parameters = unknown> {
  name: string;
  parameters: z.ZodType<Parameters>;
  effect: ToolEffect;
  execute(args: Parameters, context: ToolContext): Promise<ToolResult>;
}

/** Tool names must match the model APIs' rule, or every request that carries the tool fails. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function defineTool<Parameters>(definition: ToolDefinition<Parameters>): ToolDefinition<Parameters> {
  if (!TOOL_NAME.test(definition.name)) throw new Error(`Invalid tool name "${definition.name}"`);
  return definition;
}

/** The repository's prompts/tools directory, found from this module's location (no build step moves it). */
export const DEFAULT_TOOL_PROMPTS_DIR = fileURLToPath(new URL('../../prompts/tools/', import.meta.url));

export function loadToolDescription(name: string, promptsDir: string = DEFAULT_TOOL_PROMPTS_DIR): string {
  const path = join(promptsDir, `${name}.md`);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`The description of tool "${name}" is missing: expected ${path}`, { cause: error });
  }
}

/** A full tool: the definition plus its description. A fresh object, so registries never share state. */
export function bindDescription<Parameters>(
  definition: ToolDefinition<Parameters>,
  description: string,
): Tool<Parameters> {
  return {
    name: definition.name,
    description,
    parameters: definition.parameters,
    effect: definition.effect,
    execute: definition.execute.bind(definition),
  };
}
