import { parseArgs } from 'node:util';
import { describeError } from '../observability/errors.ts';
import { runDoctorCommand } from './doctor-command.ts';
import { runCacheCommand, runPrepareCommand } from './environment-commands.ts';
import { runLogsCommand } from './logs-command.ts';
import { runReplayCommand } from './replay-command.ts';
import { runRunCommand } from './run-command.ts';
import { runStartCommand } from './start-command.ts';

const HELP = `baton — a coding agent that works in an isolated sandbox and hands back a tested branch

Usage:
  baton start [--role all|gateway|worker]
                                   run the server: Slack events, GitHub and Linear webhooks, the
                                   dashboard (/runs), /healthz, /readyz, /metrics, and the workers
  baton run --repo <path> "task"   run the agent on a local git repository; prints progress, then the
                                   summary, branch and commit (exit 0 only when committed and checks pass)
      --json                       print every item of the run as a JSON line instead
      --config <file>              configuration file (default: config/baton.yaml, or $BATON_CONFIG)
  baton prepare <repo>             build the environment (dependencies) of a repository's default
                                   branch now, so the next run starts from the cache
  baton cache ls | prune [--all]   the environment cache: list it, or trim it to
                                   sandbox.environmentCacheMb (--all: empty it)
  baton doctor                     check configuration, system prerequisites and endpoints
  baton logs <turn-id> [--follow]  print a turn's items as JSON lines (docs/session-log.md); --follow
                                   keeps printing new items until the turn ends
  baton replay <turn-id | file.jsonl> [--repo <path>] [--base <commit>]
                                   re-run a recorded turn offline: the recorded model answers, the
                                   tools for real, on a new branch; reports where the results diverge
  baton --help                     this text

Environment: see .env.example (secrets come only from the environment).`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const defaultIo = (): CliIo => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
});

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runRunCommand(parseRunArgs(rest), io);
      case 'start':
        return await runStartCommand(parseStartArgs(rest), io);
      case 'prepare':
        return await runPrepareCommand(parsePrepareArgs(rest), io);
      case 'cache': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { config: { type: 'string' }, all: { type: 'boolean', default: false } },
        });
        return await runCacheCommand(
          { action: positionals[0], all: values.all ?? false, config: values.config },
          io,
        );
      }
      case 'doctor':
        return await runDoctorCommand(parseCommonArgs(rest), io);
      case 'logs':
        return await runLogsCommand(parseLogsArgs(rest), io);
      case 'replay':
        return await runReplayCommand(parseReplayArgs(rest), io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(HELP);
        return command === undefined ? 1 : 0;
      default:
        io.err(`baton: unknown command "${command}". Run \`baton --help\` for the commands.`);
        return 2;
    }
  } catch (error) {
    io.err(`baton: ${describeError(error)}`);
    return 1;
  }
}

function parseRunArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      repo: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
    },
  });
  return {
    repo: values.repo,
    json: values.json ?? false,
    config: values.config,
    task: positionals.join(' '),
  };
}

function parseStartArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, config: { type: 'string' } },
  });
  return { role: values.role, config: values.config };
}

function parsePrepareArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' } },
  });
  return { config: values.config, repo: positionals[0] };
}

function parseLogsArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, follow: { type: 'boolean', short: 'f', default: false } },
  });
  return { config: values.config, follow: values.follow ?? false, turnId: positionals[0] };
}

function parseReplayArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string' }, repo: { type: 'string' }, base: { type: 'string' } },
  });
  return { config: values.config, repo: values.repo, base: values.base, recording: positionals[0] };
}

function parseCommonArgs(args: string[]) {
  const { values } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' } } });
  return { config: values.config };
}
