export { refusedAddressReason } from './address-policy.ts';
export { applyPatchInSandbox, applyPatchTool } from './apply-patch.ts';
export { askTool } from './ask.ts';
export { commandStatusTool } from './command-status.ts';
export {
  bindDescription,
  DEFAULT_TOOL_PROMPTS_DIR,
  defineTool,
  loadToolDescription,
  type ToolDefinition,
} from './define-tool.ts';
export { editFileTool } from './edit-file.ts';
export { executeToolCall } from './execute-tool-call.ts';
export { createFetchUrlTool, type FetchUrlToolOptions, fetchUrlTool, isAllowedHost } from './fetch-url.ts';
export { finishTool } from './finish.ts';
export { globTool } from './glob.ts';
export { grepTool } from './grep.ts';
export { limitOutput } from './limit-output.ts';
export { listFilesTool } from './list-files.ts';
export { readFileTool } from './read-file.ts';
export {
  ALL_TOOL_DEFINITIONS,
  createExplorerToolRegistry,
  createToolRegistry,
  type ToolRegistry,
  type ToolRegistryOptions,
  toToolSpec,
} from './registry.ts';
export { replyTool } from './reply.ts';
export { runCommandTool } from './run-command.ts';
export { taskTool } from './task.ts';
export { todoTool } from './todo.ts';
export * from './types.ts';
export { viewDiffTool } from './view-diff.ts';
export { writeFileTool } from './write-file.ts';
