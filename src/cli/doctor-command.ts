import { resolve } from 'node:path';
import { type Environment, readEnvironment } from '../app/environment.ts';
import { loadConfig } from '../config/loader.ts';
import { describeError } from '../observability/errors.ts';
import { checkE2BPrerequisites } from '../sandbox/e2b/index.ts';
import { checkLocalSandboxPrerequisites } from '../sandbox/local/prerequisites.ts';
import { runDoctorChecks } from './doctor-checks.ts';
import type { CliIo } from './main.ts';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

function sandboxCheck(config: Awaited<ReturnType<typeof loadConfig>>, environment: Environment) {
  if (config.sandbox.provider === 'local') return { sandboxProblems: checkLocalSandboxPrerequisites };
  const e2b = config.sandbox.e2b;
  const apiKey = environment.secrets.e2bApiKey;
  return {
    sandboxProblems: () =>
      checkE2BPrerequisites({
        template: e2b.template,
        connection: apiKey
          ? {
              apiKey,
              apiUrl: environment.e2bApiUrl ?? e2b.apiUrl,
              sandboxUrl: environment.e2bSandboxUrl ?? e2b.sandboxUrl,
              domain: environment.e2bDomain ?? e2b.domain,
              requestTimeoutMs: e2b.requestTimeoutMs,
            }
          : undefined,
      }),
    sandboxReady: `E2B accepts the key; template "${e2b.template}" exists`,
  };
}

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
    ...sandboxCheck(config, environment),
  });
  for (const finding of findings)
    io.out(`${finding.ok ? 'ok  ' : 'FAIL'}  ${finding.check}: ${finding.detail}`);
  return findings.every((finding) => finding.ok) ? 0 : 1;
}
