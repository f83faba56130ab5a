import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { describeError, isBatonError } from '../src/observability/errors.ts';
import { redactSecrets } from '../src/observability/redact.ts';
import { shellQuote } from './git-shell.ts';
import { parseMiddlewareOptions } from './options.ts';
import type { Middleware, MiddlewareContext, StepRecord, StepResult } from './types.ts';

const TEMPLATE_URL = new URL('../prompts/pr-body.md', import.meta.url);
/** GitHub refuses a body over 65,536 characters; leave room for the truncation note. */
const MAX_BODY = 60_000;
const MAX_TITLE = 240;
const WORKFLOWS_DIR = '.github/workflows/';
/** Steps that deliver the work rather than check it. */
const DELIVERY_STEPS = new Set(['commit', 'push', 'open-pr']);

const optionsSchema = z.object({}).strict();

/** Files under `.github/workflows/` the branch touches compared with its base (added, changed, removed). */
async function touchedWorkflows(context: MiddlewareContext): Promise<string[]> {
  const ref = shellQuote(`${context.baseRef}^{commit}`);
  const remoteRef = shellQuote(`origin/${context.baseRef}^{commit}`);
  const result = await context.sandbox.exec({
    cmd: [
      `base=$(git rev-parse --verify --quiet ${ref} || git rev-parse --verify --quiet ${remoteRef}) || exit 3`,
      'fork=$(git merge-base "$base" HEAD 2>/dev/null || echo "$base")',
      `git -c core.quotePath=false diff --name-only --no-renames "$fork" HEAD -- ${shellQuote(WORKFLOWS_DIR)}`,
    ].join('\n'),
  });
  if (result.exitCode !== 0) {
    context.log.warn(
      { exitCode: result.exitCode, stderr: result.stderr },
      'open-pr could not diff against the base',
    );
    return [];
  }
  return result.stdout.split('\n').filter(Boolean);
}

function describeChecks(previous: readonly StepRecord[]): string {
  const checks = previous.filter((record) => !DELIVERY_STEPS.has(record.name));
  if (checks.length === 0) return 'No automated checks ran.';
  return checks
    .map((record) => {
      const command = record.command ? ` \`${record.command.replaceAll('`', "'")}\`` : '';
      return `- **${record.name}**${command}: ${record.status} — ${record.summary}`;
    })
    .join('\n');
}

function describeRequest(context: MiddlewareContext): string {
  const { request } = context.host;
  const requester = request.requester ?? context.requester;
  const origin = request.originUrl
    ? `[${request.originLabel ?? 'the request'}](${request.originUrl})`
    : request.originLabel;
  if (requester && origin) return `Requested by ${requester} in ${origin}.`;
  if (requester) return `Requested by ${requester}.`;
  if (origin) return `Requested in ${origin}.`;
  return `Requested in thread ${request.threadKey}.`;
}

/** Fills `{{name}}` placeholders; an empty one leaves no run of blank lines behind. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const filled = template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_match, name: string) => values[name] ?? '');
  return `${filled
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** The pull request body: warning, what and why, how it was checked, who asked, the run. Redacted. */
export async function renderPullRequestBody(
  context: MiddlewareContext,
  template: string,
): Promise<{ body: string; workflows: string[] }> {
  const workflows = await touchedWorkflows(context);
  const warning =
    workflows.length > 0
      ? [
          '> [!WARNING]',
          `> This pull request changes GitHub Actions workflows: ${workflows.map((file) => `\`${file}\``).join(', ')}.`,
          '> Workflows run with repository secrets; review these files with particular care.',
        ].join('\n')
      : '';
  const { request } = context.host;
  const why = context.finish.prBody.trim();
  const summary = context.finish.summary.trim();
  const body = renderTemplate(template, {
    workflow_warning: warning,
    summary: why && why !== summary ? `${why}\n\n${summary}` : why || summary,
    checks: [
      context.environment ? `- **${context.environment.replace(/^environment: /, 'environment**: ')}` : '',
      describeChecks(context.previous),
    ]
      .filter(Boolean)
      .join('\n'),
    request: describeRequest(context),
    fixes: request.linearIssueKey ? `Fixes ${request.linearIssueKey}` : '',
    run: request.runUrl ? `[Baton run](${request.runUrl})` : '',
  });
  const redacted = redactSecrets(body, context.secrets);
  return {
    body: redacted.length > MAX_BODY ? `${redacted.slice(0, MAX_BODY)}\n\n…(truncated)\n` : redacted,
    workflows,
  };
}

function titleOf(context: MiddlewareContext): string {
  const title =
    context.finish.prTitle.trim() || context.finish.summary.trim().split('\n')[0] || context.branch;
  const redacted = redactSecrets(title, context.secrets).replace(/\s+/g, ' ');
  return redacted.length > MAX_TITLE ? `${redacted.slice(0, MAX_TITLE - 1)}…` : redacted;
}

/**
 * Opens (or updates) the branch's draft pull request after a push. Not a check: nothing here goes
 * back to the agent. Skipped when the repository is not on GitHub or the branch was not pushed.
 */
export function createOpenPrMiddleware(options: Record<string, unknown> = {}): Middleware {
  parseMiddlewareOptions('open-pr', optionsSchema, options);
  let template: Promise<string> | undefined;
  return {
    name: 'open-pr',
    feedback: false,
    async run(context): Promise<StepResult> {
      const service = context.host.pullRequests;
      if (!service) {
        return { status: 'skipped', summary: 'No pull request: the repository is not on GitHub.' };
      }
      const pushed = context.previous.some((record) => record.name === 'push' && record.status === 'passed');
      if (!pushed) {
        return { status: 'skipped', summary: 'No pull request: the branch was not pushed.' };
      }
      template ??= readFile(TEMPLATE_URL, 'utf8');
      const { body, workflows } = await renderPullRequestBody(context, await template);
      try {
        const pull = await service.ensureDraftPullRequest({
          repo: context.repo.name,
          head: context.branch,
          base: context.baseRef,
          title: titleOf(context),
          body,
        });
        const flagged = workflows.length > 0 ? ' (changes .github/workflows — review with care)' : '';
        return {
          status: 'passed',
          summary: `Draft PR #${pull.number} ${pull.created ? 'opened' : 'updated'}: ${pull.url}${flagged}`,
          url: pull.url,
        };
      } catch (error) {
        context.log.error({ err: error, branch: context.branch }, 'pull request could not be opened');
        const code = isBatonError(error) ? ` [${error.code}]` : '';
        return {
          status: 'failed',
          summary: `The branch was pushed, but the pull request could not be opened${code}: ${redactSecrets(describeError(error), context.secrets)}`,
        };
      }
    },
  };
}
