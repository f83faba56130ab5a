import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Config } from '../config/schema.ts';

const run = promisify(execFile);

export interface DoctorFinding {
  check: string;
  ok: boolean;
  /** On a problem: what is wrong and the exact fix. */
  detail: string;
}

export interface DoctorInput {
  config: Config;
  openaiBaseUrl: string;
  openaiApiKey?: string;
  dataDir: string;
  fetch: typeof fetch;
  sandboxProblems: () => Promise<{ problem: string; fix: string }[]>;
  /** What a working sandbox check says (default: the local provider's). */
  sandboxReady?: string;
}

export async function checkModelEndpoint(input: DoctorInput): Promise<DoctorFinding> {
  const url = `${input.openaiBaseUrl.replace(/\/$/, '')}/models`;
  try {
    const response = await input.fetch(url, {
      headers: input.openaiApiKey ? { authorization: `Bearer ${input.openaiApiKey}` } : {},
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status === 401 || response.status === 403) {
      return {
        check: 'model endpoint',
        ok: false,
        detail: `${url} refused the key (HTTP ${response.status}); set a valid OPENAI_API_KEY`,
      };
    }
    if (!response.ok)
      return {
        check: 'model endpoint',
        ok: false,
        detail: `${url} answered HTTP ${response.status}; check OPENAI_BASE_URL`,
      };
    return { check: 'model endpoint', ok: true, detail: `${url} reachable` };
  } catch (error) {
    return {
      check: 'model endpoint',
      ok: false,
      detail: `cannot reach ${url} (${(error as Error).message}); set OPENAI_BASE_URL to a reachable OpenAI-compatible server`,
    };
  }
}

export function checkApiKey(input: DoctorInput): DoctorFinding {
  const needsKey = input.openaiBaseUrl.includes('api.openai.com');
  if (needsKey && !input.openaiApiKey) {
    return {
      check: 'OPENAI_API_KEY',
      ok: false,
      detail: 'not set; export OPENAI_API_KEY=sk-... (or set OPENAI_BASE_URL to a server that needs none)',
    };
  }
  return {
    check: 'OPENAI_API_KEY',
    ok: true,
    detail: input.openaiApiKey ? 'set' : 'not needed for this endpoint',
  };
}

export function checkPrices(config: Config): DoctorFinding {
  if (config.model.prices[config.model.name])
    return { check: 'model prices', ok: true, detail: `price known for ${config.model.name}` };
  return {
    check: 'model prices',
    ok: false,
    detail: `no price for ${config.model.name}: costs will show as $0 and the cost budget cannot stop a run; add model.prices.${config.model.name} to the config`,
  };
}

export async function checkRepos(config: Config): Promise<DoctorFinding[]> {
  return Promise.all(
    config.repos.map(async (repo): Promise<DoctorFinding> => {
      if (/^https?:\/\//.test(repo.url))
        return {
          check: `repo ${repo.name}`,
          ok: true,
          detail: `${repo.url} (remote; fetched with the host's credentials)`,
        };
      try {
        await run('git', ['-C', repo.url, 'rev-parse', '--verify', `${repo.defaultBranch}^{commit}`]);
        return { check: `repo ${repo.name}`, ok: true, detail: `${repo.url} on ${repo.defaultBranch}` };
      } catch {
        return {
          check: `repo ${repo.name}`,
          ok: false,
          detail: `${repo.url} is not a git repository with branch ${repo.defaultBranch}; fix repos[].url / defaultBranch`,
        };
      }
    }),
  );
}

export async function checkDataDir(dataDir: string): Promise<DoctorFinding> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
    return { check: 'data directory', ok: true, detail: `${dataDir} writable` };
  } catch (error) {
    return {
      check: 'data directory',
      ok: false,
      detail: `${dataDir} is not writable (${(error as Error).message}); set BATON_DATA_DIR`,
    };
  }
}

export async function checkSandbox(input: DoctorInput): Promise<DoctorFinding[]> {
  const problems = await input.sandboxProblems();
  if (problems.length === 0)
    return [{ check: 'sandbox', ok: true, detail: input.sandboxReady ?? 'bubblewrap works' }];
  return problems.map((problem) => ({
    check: 'sandbox',
    ok: false,
    detail: `${problem.problem}; fix: ${problem.fix}`,
  }));
}

/** Every check, in a fixed order. */
export async function runDoctorChecks(input: DoctorInput): Promise<DoctorFinding[]> {
  const [endpoint, repos, dataDir, sandbox] = await Promise.all([
    checkModelEndpoint(input),
    checkRepos(input.config),
    checkDataDir(input.dataDir),
    checkSandbox(input),
  ]);
  return [checkApiKey(input), endpoint, checkPrices(input.config), ...repos, dataDir, ...sandbox];
}
