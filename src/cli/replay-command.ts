import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatonError } from '../observability/errors.ts';
import {
  describeDivergence,
  findDivergence,
  parseSessionLog,
  type RecordedItem,
  recordedModel,
} from '../observability/replay.ts';
import type { ItemPayload } from '../runs/items.ts';
import { resolveLocalRepo } from '../runs/local-repo.ts';
import { runTurn } from '../runs/run-turn.ts';
import { openStore } from '../store/index.ts';
import { composeLocalRunner, loadCliSettings } from './local-runner.ts';
import type { CliIo } from './main.ts';
import { createTerminalReporter } from './terminal-reporter.ts';

export interface ReplayArgs {
  recording?: string;
  repo?: string;
  base?: string;
  config?: string;
}

interface Recording {
  turnId: string;
  items: RecordedItem[];
  /** The repository the recorded turn worked on, when the recording says (a `baton run` turn). */
  repoPath?: string;
}

/**
 * `baton replay`: the recorded turn again, offline. The model's answers come from the recording;
 * the tools, the sandbox and the checks run for real at the recorded base, on a branch of their
 * own. The first tool result that differs from the recording is reported (exit 1).
 */
export async function runReplayCommand(args: ReplayArgs, io: CliIo): Promise<number> {
  if (!args.recording) throw usage('missing the turn id or session log file');
  const settings = await loadCliSettings(args.config, io);
  const { environment, config, dataDir } = settings;
  const recording = await loadRecording(args.recording, io.cwd, {
    databaseUrl: environment.databaseUrl,
    dataDir,
  });
  const main = recording.items.filter((item) => item.payload.scope !== 'subagent');
  const repoPath = args.repo ? resolve(io.cwd, args.repo) : recording.repoPath;
  if (!repoPath)
    throw usage('the recording does not say where its repository is: pass --repo <path of a clone>');
  const base = args.base ?? firstCheckpointBase(main);
  if (!base) throw usage('the recording names no base commit (it changed nothing): pass --base <commit>');
  const task = main.find((item) => item.payload.type === 'user_message')?.payload;
  if (task?.type !== 'user_message') throw usage('the recording has no task (no user message)');

  const repo = { ...(await resolveLocalRepo(config, repoPath)), defaultBranch: base };
  const model = recordedModel(recording.items, config.model.name);
  const replayed: ItemPayload[] = [];
  const { runner, out } = await composeLocalRunner(settings, io, {
    model,
    onItem: (item) => {
      if (item.payload.scope !== 'subagent') replayed.push(item.payload);
    },
  });
  try {
    out(`replay: turn ${recording.turnId} at ${base.slice(0, 12)} in ${repoPath}`);
    const { outcome } = await runTurn(runner.deps, {
      threadKey: `replay:${recording.turnId}:${randomUUID()}`,
      origin: { kind: 'cli', path: repo.url },
      repo,
      task: task.text,
      requester: io.env.USER ?? 'cli',
      reporter: createTerminalReporter({ write: out, input: io.stdin, quiet: false }),
    });
    const divergence = findDivergence(
      main.map((item) => item.payload),
      replayed,
    );
    if (divergence) {
      out(`replay: ${describeDivergence(divergence)}`);
      return 1;
    }
    const count = replayed.filter((payload) => payload.type === 'tool_result').length;
    out(`replay: all ${count} tool results match the recording (${model.used()} model answers played).`);
    return outcome.status === 'succeeded' ? 0 : 1;
  } finally {
    await runner.close();
  }
}

async function loadRecording(
  source: string,
  cwd: string,
  database: { databaseUrl?: string; dataDir: string },
): Promise<Recording> {
  const path = resolve(cwd, source);
  if (existsSync(path)) return parseSessionLog(readFileSync(path, 'utf8'), source);
  const { store } = await openStore({
    databaseUrl: database.databaseUrl,
    dataDir: resolve(database.dataDir, 'db'),
  });
  try {
    const turn = await store.getTurn(source);
    if (!turn) {
      throw new BatonError({
        code: 'turn_not_found',
        message: `no turn ${source}, and no file of that name`,
        hint: 'pass a turn id from the dashboard or `baton run`, or a file from `baton logs <turn-id>`',
      });
    }
    const thread = await store.getThread(turn.threadId);
    const origin = thread?.origin as { kind?: string; path?: string } | undefined;
    const items = await store.listItems(source);
    return {
      turnId: source,
      items: items.map((item) => ({ sequence: item.sequence, payload: item.payload })),
      repoPath: origin?.kind === 'cli' ? origin.path : undefined,
    };
  } finally {
    await store.close();
  }
}

function firstCheckpointBase(items: readonly RecordedItem[]): string | undefined {
  for (const { payload } of items) if (payload.type === 'checkpoint') return payload.baseCommit;
  return undefined;
}

function usage(message: string): BatonError {
  return new BatonError({
    code: 'cli_usage',
    message,
    hint: 'baton replay <turn-id | file.jsonl> [--repo <path>] [--base <commit>]',
  });
}
