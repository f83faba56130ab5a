export type { CheckOptions } from './check-step.ts';
export { createCheckMiddleware, keepTail, runCheck } from './check-step.ts';
export { buildCommitMessage, createCommitMiddleware, runCommit } from './commit.ts';
export type { AddedFile, AddedLine, RangeAdditions, SkippedFile } from './commit-additions.ts';
export { addedLines, collectRangeAdditions } from './commit-additions.ts';
export type { CheckKind, CommandDetection, CommandSource, DetectCommandsOptions } from './detect-commands.ts';
export { detectCommand, detectCommands } from './detect-commands.ts';
export { createLintMiddleware } from './lint.ts';
export { parseMiddlewareOptions } from './options.ts';
export type { MiddlewarePass, PassOutcome } from './pipeline.ts';
export { describeFailure, runMiddlewarePass } from './pipeline.ts';
export type { MiddlewareRegistry } from './registry.ts';
export { createMiddlewareRegistry, resolveMiddlewares } from './registry.ts';
export type { SecretFinding, SecretScanOptions } from './secret-scan.ts';
export { createSecretScanMiddleware, maskValue, runSecretScan, scanAddedFiles } from './secret-scan.ts';
export { createTestMiddleware } from './test.ts';
export type {
  ImportedWork,
  Middleware,
  MiddlewareContext,
  MiddlewareFactory,
  StepRecord,
  StepResult,
  StepStatus,
} from './types.ts';
