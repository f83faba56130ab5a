import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { GitConfig } from '../src/config/schema.ts';
import { BatonError } from '../src/observability/errors.ts';
import { redactSecrets } from '../src/observability/redact.ts';
import type { FinishPayload } from '../src/tools/types.ts';
import { STAGE_WORK, shellQuote } from './git-shell.ts';
import { parseMiddlewareOptions } from './options.ts';
import type { Middleware, MiddlewareContext, StepResult } from './types.ts';

const WRONG_BRANCH_EXIT = 4;
const NOTHING_TO_COMMIT_EXIT = 5;
const FALLBACK_TITLE = 'Changes by Baton';

const optionsSchema = z.object({}).strict();

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}

/** First line: the PR title (or the summary's first line); then a blank line and the summary. */
export function buildCommitMessage(finish: Pick<FinishPayload, 'prTitle' | 'summary'>): string {
  const title = firstLine(finish.prTitle) || firstLine(finish.summary) || FALLBACK_TITLE;
  const body = finish.summary.trim();
  return body === '' || body === title ? `${title}\n` : `${title}\n\n${body}\n`;
}

function commitScript(options: { branch: string; git: GitConfig; message: string }): string {
  // A quoted here-document passes the message verbatim; the random end marker cannot occur in it by chance.
  const marker = `BATON_MESSAGE_${randomBytes(8).toString('hex')}`;
  const identity = [
    `-c user.name=${shellQuote(options.git.authorName)}`,
    `-c user.email=${shellQuote(options.git.authorEmail)}`,
    '-c commit.gpgsign=false',
  ].join(' ');
  return [
    'set -e',
    `current=$(git symbolic-ref --quiet --short HEAD || echo '(detached HEAD)')`,
    `if [ "$current" != ${shellQuote(options.branch)} ]; then echo "$current"; exit ${WRONG_BRANCH_EXIT}; fi`,
    STAGE_WORK,
    `if git diff --cached --quiet; then exit ${NOTHING_TO_COMMIT_EXIT}; fi`,
    // --no-verify: the repository's own hooks are not part of Baton's deterministic checks.
    `git ${identity} commit --quiet --no-verify --cleanup=whitespace --file=- <<'${marker}'`,
    options.message,
    marker,
    'git rev-parse HEAD',
    'git diff-tree --no-commit-id --name-only -r HEAD | wc -l',
  ].join('\n');
}

/** Commits everything in the workspace (except Baton's scratch directory) on the run's branch. */
export async function runCommit(context: MiddlewareContext): Promise<StepResult> {
  // The message is the model's text: what it knows of a secret must not be written into history.
  const message = redactSecrets(buildCommitMessage(context.finish), context.secrets);
  const result = await context.sandbox.exec({
    cmd: commitScript({ branch: context.branch, git: context.git, message }),
  });
  if (result.exitCode === NOTHING_TO_COMMIT_EXIT) {
    return {
      status: 'skipped',
      summary: 'Nothing to commit: the workspace has no changes since the last commit.',
    };
  }
  if (result.exitCode === WRONG_BRANCH_EXIT) {
    throw new BatonError({
      code: 'commit_wrong_branch',
      message: `The workspace is on ${result.stdout.trim()}, not on the run's branch ${context.branch}; nothing was committed.`,
      hint: `Switch back with \`git switch ${context.branch}\`.`,
    });
  }
  if (result.exitCode !== 0) {
    throw new BatonError({
      code: 'commit_failed',
      message: `git commit failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().slice(-500)}`,
    });
  }
  const [sha = '', fileCount = '0'] = result.stdout.trim().split('\n');
  const title = message.split('\n')[0] ?? '';
  const files = Number(fileCount.trim());
  context.log.info({ step: 'commit', commit: sha, files, branch: context.branch }, 'commit created');
  return {
    status: 'passed',
    summary: `Committed ${sha.slice(0, 12)} on ${context.branch}: ${title} (${files} ${files === 1 ? 'file' : 'files'})`,
    commit: sha,
  };
}

export function createCommitMiddleware(options: Record<string, unknown> = {}): Middleware {
  parseMiddlewareOptions('commit', optionsSchema, options);
  return { name: 'commit', feedback: false, run: runCommit };
}
