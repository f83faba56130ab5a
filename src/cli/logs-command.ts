import { resolve } from 'node:path';
import { createSecretRegistryFromEnvironment, readEnvironment } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import { BatonError } from '../observability/errors.ts';
import { exportTurnJsonl } from '../observability/session-log.ts';
import { openStore } from '../store/index.ts';
import type { CliIo } from './main.ts';

/** `baton logs <turn-id>`: the turn's items as JSON lines, secrets redacted. */
export async function runLogsCommand(args: { config?: string; turnId?: string }, io: CliIo): Promise<number> {
  if (!args.turnId)
    throw new BatonError({ code: 'cli_usage', message: 'missing the turn id', hint: 'baton logs <turn-id>' });
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
    const text = await exportTurnJsonl(store, args.turnId, createSecretRegistryFromEnvironment(environment));
    if (text) io.out(text.trimEnd());
    return 0;
  } finally {
    await store.close();
  }
}
