import type { ToolControl, ToolResult } from './types.ts';

export function success(output: string, control?: ToolControl): ToolResult {
  return control ? { ok: true, output, truncated: false, control } : { ok: true, output, truncated: false };
}

export function failure(error: string, hint?: string): ToolResult {
  return hint ? { ok: false, error, hint } : { ok: false, error };
}
