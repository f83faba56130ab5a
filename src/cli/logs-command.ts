import { resolve } from 'node:path';
import { createSecretRegistryFromEnvironment, readEnvironment } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import { BatonError } from '../observability/errors.ts';
import {
  exportTurnJsonl,
  followTurnItems,
  formatItemJsonl,
  turnTraceId,
} from '../observability/session-log.ts';
import { openStore } from '../store/index.ts';
import type { CliIo } from './main.ts';

/**
 * `baton logs <turn-id>`: the turn's items as JSON lines, secrets redacted; with `--follow`, new
 * items as they are recorded until the turn ends.
 */
export async function runLogsCommand(
  args: { config?: string; turnId?: string; follow?: boolean },
  io: CliIo,
): Promise<number> {
  if (!args.turnId)
    throw new BatonError({
      code: 'cli_usage',
      message: 'missing the turn id',
      hint: 'baton logs <turn-id> [--follow]',
    });
  const environment = readEnvironment(io.env);
  const configPath = resolve(io.cwd, args.config ?? environment.configPath ?? 'config/baton.yaml');
  const config = await loadConfig({
    path: configPath,
    required: Boolean(args.config ?? environment.configPath),
  });
  const dataDir = resolve(io.cwd, environment.dataDir ?? config.sandbox.dataDir);
  const { store } = await openStore({
    databaseUrl: environment.databaseUrl,
    dataDir: resolve(dataDir, 'db'),
  });
  try {
    const turn = await store.getTurn(args.turnId);
    if (!turn) throw new BatonError({ code: 'turn_not_found', message: `no turn ${args.turnId}` });
    const secrets = createSecretRegistryFromEnvironment(environment, config);
    if (!args.follow) {
      const text = await exportTurnJsonl(store, args.turnId, secrets);
      if (text) io.out(text.trimEnd());
      return 0;
    }
    const traceId = await turnTraceId(store, args.turnId);
    for await (const item of followTurnItems(store, args.turnId))
      io.out(formatItemJsonl(item, secrets, { traceId }));
    return 0;
  } finally {
    await store.close();
  }
}
