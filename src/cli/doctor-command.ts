import { resolve } from 'node:path';
import { readEnvironment } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import { describeError } from '../observability/errors.ts';
import { checkLocalSandboxPrerequisites } from '../sandbox/local/prerequisites.ts';
import { runDoctorChecks } from './doctor-checks.ts';
import type { CliIo } from './main.ts';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** `baton doctor`: one line per check; problems say how to fix them. Exit 1 when any check fails. */
export async function runDoctorCommand(
  args: { config?: string },
  io: CliIo,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  const environment = readEnvironment(io.env);
  const configPath = resolve(io.cwd, args.config ?? environment.configPath ?? 'config/baton.yaml');
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig({ path: configPath, required: Boolean(args.config ?? environment.configPath) });
    io.out(`ok    config: ${configPath}`);
  } catch (error) {
    io.out(`FAIL  config: ${describeError(error)}`);
    return 1;
  }
  const findings = await runDoctorChecks({
    config,
    openaiBaseUrl: environment.openaiBaseUrl ?? config.model.baseUrl ?? DEFAULT_BASE_URL,
    openaiApiKey: environment.secrets.openaiApiKey,
    dataDir: resolve(io.cwd, environment.dataDir ?? config.sandbox.dataDir),
    fetch: fetchImpl,
    sandboxProblems: checkLocalSandboxPrerequisites,
  });
  for (const finding of findings)
    io.out(`${finding.ok ? 'ok  ' : 'FAIL'}  ${finding.check}: ${finding.detail}`);
  return findings.every((finding) => finding.ok) ? 0 : 1;
}
