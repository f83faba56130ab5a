import { dirname, resolve } from 'node:path';
import type { ServerRole } from '../app/compose-server.ts';
import { createSecretRegistryFromEnvironment, readEnvironment } from '../app/environment.ts';
import { assertPortAvailable } from '../app/port-probe.ts';
import { loadConfig } from '../config/loader.ts';
import { BatonError } from '../observability/errors.ts';
import { createLogger } from '../observability/logger.ts';
import type { CliIo } from './main.ts';
import { watchParent } from './parent-watch.ts';

const ROLES: readonly ServerRole[] = ['gateway', 'worker', 'all'];

export interface StartArgs {
  role?: string;
  config?: string;
}

/**
 * `baton start`: runs the server until SIGINT/SIGTERM or until the process that started it ends.
 * What is on and what to set for what is off goes to stderr as plain lines; the structured log
 * goes to stdout. A failure at start closes what was opened and throws: one line, exit code 1.
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
  const secrets = createSecretRegistryFromEnvironment(environment, config);
  const log = createLogger({ level: environment.logLevel ?? config.log.level, secrets });
  await assertPortAvailable({
    host: config.server.host,
    ...(role === 'worker'
      ? {
          port: environment.workerPort ?? config.server.workerPort,
          setting: 'WORKER_PORT / server.workerPort',
        }
      : { port: environment.port ?? config.server.port, setting: 'PORT / server.port' }),
  });
  // Listening from here on: a SIGTERM while the store opens waits for the start, then stops cleanly.
  let stopWatching = () => {};
  const stopRequested = new Promise<string>((done) => {
    signals.once('SIGINT', () => done('SIGINT'));
    signals.once('SIGTERM', () => done('SIGTERM'));
    stopWatching = watchParent({ onGone: () => done('the process that started it ended') });
  });
  // Loaded only now: a bad role, environment, file or port is reported before the whole server loads.
  const { startServer } = await import('../app/compose-server.ts');
  const server = await startServer({
    config,
    configDir: dirname(configPath),
    cwd: io.cwd,
    environment,
    role,
    log,
    secrets,
    announce: (line) => io.err(line),
  }).catch((error: unknown) => {
    stopWatching();
    throw error;
  });
  io.err(`Baton is running (${role}). Stop it with Ctrl-C.`);
  const reason = await stopRequested;
  stopWatching();
  io.err(`Baton is stopping (${reason})...`);
  await server.stop();
  return 0;
}
