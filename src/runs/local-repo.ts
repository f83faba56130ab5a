import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { type Config, type RepoConfig, repoSchema } from '../config/schema.ts';
import { BatonError } from '../observability/errors.ts';

const run = promisify(execFile);

/**
 * The repository `baton run --repo <path>` works on: the configured entry whose url is that path,
 * else one made up from the repository itself (its current branch is the base).
 */
export async function resolveLocalRepo(config: Config, path: string): Promise<RepoConfig> {
  const configured = config.repos.find((repo) => repo.url === path);
  let branch: string;
  try {
    await run('git', ['-C', path, 'rev-parse', '--git-dir']);
    branch = (await run('git', ['-C', path, 'symbolic-ref', '--short', 'HEAD'])).stdout.trim();
  } catch (error) {
    throw new BatonError({
      code: 'repo_not_found',
      message: `${path} is not a git repository with a checked-out branch`,
      hint: 'pass --repo with the path of a git repository (run `git init` and commit first if it is new)',
      cause: error,
    });
  }
  return configured ?? repoSchema.parse({ name: basename(path), url: path, defaultBranch: branch });
}
