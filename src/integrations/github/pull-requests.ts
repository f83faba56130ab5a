import type { PullRequestService } from '../../../middleware/types.ts';
import { BatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { GitHubClient } from './client.ts';
import { splitRepo } from './repo-name.ts';

interface ValidationFailure {
  status: number;
  message?: string;
  response?: { data?: unknown };
}

function validationText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const failure = error as ValidationFailure;
  return `${failure.message ?? ''} ${JSON.stringify(failure.response?.data ?? '')}`;
}

const isStatus = (error: unknown, status: number) =>
  typeof error === 'object' && error !== null && (error as ValidationFailure).status === status;

/**
 * One draft pull request per branch. The open one is looked up by `head=owner:branch` (GitHub
 * ignores a head without the owner and would return every PR), updated when found, created as a
 * draft otherwise; a creation that loses a race (422 "already exists") updates the winner.
 */
export function createGitHubPullRequests(options: { client: GitHubClient; log: Logger }): PullRequestService {
  const openPull = async (input: { repo: string; head: string; base: string }) => {
    const { owner, name } = splitRepo(input.repo);
    const { data } = await options.client.octokitFor(input.repo).rest.pulls.list({
      owner,
      repo: name,
      head: `${owner}:${input.head}`,
      state: 'open',
      per_page: 10,
    });
    // The head filter is exact; the branch check guards against a server that ignored it.
    const fromBranch = data.filter((pull) => pull.head.ref === input.head);
    return fromBranch.find((pull) => pull.base.ref === input.base) ?? fromBranch[0];
  };
  return {
    async findOpenPullRequest(input) {
      const found = await openPull(input);
      return found ? { number: found.number, url: found.html_url } : null;
    },
    async ensureDraftPullRequest(input) {
      const { owner, name } = splitRepo(input.repo);
      const octokit = options.client.octokitFor(input.repo);
      const findOpen = () => openPull(input);
      const update = async (number: number) => {
        const { data } = await octokit.rest.pulls.update({
          owner,
          repo: name,
          pull_number: number,
          title: input.title,
          body: input.body,
        });
        options.log.info({ repo: input.repo, number }, 'pull request updated');
        return { number: data.number, url: data.html_url, created: false };
      };

      const existing = await findOpen();
      if (existing) return update(existing.number);
      try {
        const { data } = await octokit.rest.pulls.create({
          owner,
          repo: name,
          head: input.head,
          base: input.base,
          title: input.title,
          body: input.body,
          draft: true,
        });
        options.log.info({ repo: input.repo, number: data.number }, 'draft pull request opened');
        return { number: data.number, url: data.html_url, created: true };
      } catch (error) {
        if (!isStatus(error, 422)) throw error;
        const text = validationText(error);
        if (/already exists/i.test(text)) {
          const winner = await findOpen();
          if (winner) return update(winner.number);
        }
        if (/no commits between/i.test(text)) {
          throw new BatonError({
            code: 'pull_request_no_commits',
            message: `${input.head} has no commits that ${input.base} does not have`,
            hint: 'nothing to review: the branch matches its base',
            cause: error,
          });
        }
        throw new BatonError({
          code: 'pull_request_invalid',
          message: `GitHub refused the pull request for ${input.head}: ${text.trim().slice(0, 300)}`,
          cause: error,
        });
      }
    },
  };
}
