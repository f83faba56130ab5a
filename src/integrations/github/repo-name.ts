import { BatonError } from '../../observability/errors.ts';

const PART = /^[A-Za-z0-9_.-]+$/;

/** `owner/name` split and checked, so neither part can smuggle a path into a URL. */
export function splitRepo(repo: string): { owner: string; name: string } {
  const [owner = '', name = '', ...rest] = repo.replace(/\.git$/, '').split('/');
  if (
    rest.length > 0 ||
    !PART.test(owner) ||
    !PART.test(name) ||
    owner.startsWith('.') ||
    name.startsWith('.')
  ) {
    throw new BatonError({
      code: 'github_repo_invalid',
      message: `"${repo}" is not a GitHub repository name`,
      hint: 'name GitHub repositories as owner/name in the configuration (repos[].name)',
    });
  }
  return { owner, name };
}
