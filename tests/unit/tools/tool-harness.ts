import { policiesSchema } from '../../../src/config/schema.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createLocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { executeToolCall } from '../../../src/tools/execute-tool-call.ts';
import { createToolRegistry, type ToolRegistry } from '../../../src/tools/registry.ts';
import { createToolState, type ToolContext, type ToolResult } from '../../../src/tools/types.ts';
import { createRecordingReporter, type RecordingReporter } from '../../fakes/recording-reporter.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

export interface ToolHarness {
  fixture: FixtureRepo;
  sandbox: Sandbox;
  registry: ToolRegistry;
  /** Progress lines reported through `context.progress`. */
  progress: string[];
  reporter: RecordingReporter;
  context: ToolContext;
  /** Calls a tool through the dispatcher, as the agent loop does. */
  call(name: string, args: unknown): Promise<ToolResult>;
  /** A fresh per-run tool state (nothing read yet), keeping the same sandbox. */
  resetState(): void;
  dispose(): Promise<void>;
}

/** One real bubblewrap sandbox over a fixture repository, and a tool context around it. */
export async function createToolHarness(
  files: Record<string, string>,
  overrides: Partial<ToolContext> = {},
): Promise<ToolHarness> {
  const fixture = createFixtureRepo(files);
  const dataDir = createTempDir('baton-tools-');
  const provider = createLocalSandboxProvider({
    dataDir: dataDir.path,
    hostEnv: { PATH: process.env.PATH },
    spares: 0,
  });
  const sandbox = await provider.create({
    repo: { name: 'fixture', url: fixture.path },
    baseRef: 'main',
    branch: 'baton/t1',
    limits: {
      commandTimeoutMs: 20000,
      memoryMb: 2048,
      outputCapBytes: 200000,
      network: 'off',
      envAllowlist: [],
    },
  });
  const registry = createToolRegistry();
  const progress: string[] = [];
  const reporter = createRecordingReporter();
  const context: ToolContext = {
    runId: 'run-test',
    sandbox,
    signal: new AbortController().signal,
    log: createSilentLogger(),
    reporter,
    state: createToolState(),
    policies: policiesSchema.parse({}),
    outputLimit: 10_000,
    progress: (activity) => progress.push(activity),
    secrets: [],
    ...overrides,
  };
  let callNumber = 0;
  return {
    fixture,
    sandbox,
    registry,
    progress,
    reporter,
    context,
    call: (name, args) =>
      executeToolCall(
        registry,
        { id: `call_${++callNumber}`, name, arguments: JSON.stringify(args) },
        context,
      ),
    resetState: () => {
      context.state = createToolState();
    },
    dispose: async () => {
      await sandbox.dispose();
      await provider.idle();
      fixture.cleanup();
      dataDir.cleanup();
    },
  };
}

/** The output of a successful result; fails the test with the error otherwise. */
export function outputOf(result: ToolResult): string {
  if (!result.ok)
    throw new Error(`expected ok, got error: ${result.error}${result.hint ? ` (hint: ${result.hint})` : ''}`);
  return result.output;
}

export function errorOf(result: ToolResult): { error: string; hint: string } {
  if (result.ok) throw new Error(`expected an error, got output: ${result.output}`);
  return { error: result.error, hint: result.hint ?? '' };
}
