import { resolve } from 'node:path';
import { configDirOf } from '../app/compose-runner.ts';
import { type ServerRole, startServer } from '../app/compose-server.ts';
import { readEnvironment, secretValues } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import { BatonError } from '../observability/errors.ts';
import { createLogger } from '../observability/logger.ts';
import type { CliIo } from './main.ts';

const ROLES: readonly ServerRole[] = ['gateway', 'worker', 'all'];

export interface StartArgs {
  role?: string;
  config?: string;
}

/**
 * `baton start`: runs the server until SIGINT/SIGTERM. What is on and what to set for what is off
 * goes to stderr as plain lines; the structured log goes to stdout.
 */
export async function runStartCommand(
  args: StartArgs,
  io: CliIo,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  const role = (args.role ?? 'all') as ServerRole;
  if (!ROLES.includes(role)) {
    throw new BatonError({
      code: 'cli_usage',
      message: `unknown role "${args.role}"`,
      hint: `use --role ${ROLES.join('|')}`,
    });
  }
  const environment = readEnvironment(io.env);
  const configPath = resolve(io.cwd, args.config ?? environment.configPath ?? 'config/baton.yaml');
  const config = await loadConfig({
    path: configPath,
    required: Boolean(args.config ?? environment.configPath),
  });
  const log = createLogger({
    level: environment.logLevel ?? config.log.level,
    secrets: secretValues(environment, config),
  });
  const server = await startServer({
    config,
    configDir: configDirOf(configPath),
    cwd: io.cwd,
    environment,
    role,
    log,
    announce: (line) => io.err(line),
  });
  io.err(`Baton is running (${role}). Stop it with Ctrl-C.`);
  await new Promise<void>((done) => {
    const stop = () => done();
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
  });
  io.err('Baton is stopping...');
  await server.stop();
  return 0;
}
