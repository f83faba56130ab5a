import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { z } from 'zod';
import {
  type KnownSecrets,
  knownSecretForms,
  redactSecrets,
  SECRET_SHAPES,
} from '../src/observability/redact.ts';
import { type AddedFile, collectRangeAdditions, type SkippedFile } from './commit-additions.ts';
import { createObjectReader } from './host-objects.ts';
import { parseMiddlewareOptions } from './options.ts';
import type { Middleware, MiddlewareContext, StepResult } from './types.ts';

/** Where a secret was added, which rule saw it, and the value masked (never the value). */
export interface SecretFinding {
  commit: string;
  path: string;
  line: number;
  rules: string[];
  masked: string;
}

type SecretlintConfig = Parameters<typeof lintSource>[0]['options']['config'];

const SECRETLINT_CONFIG: SecretlintConfig = {
  rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }],
};
const RULE_PREFIX = '@secretlint/secretlint-rule-';
const LISTED_IN_SUMMARY = 5;

export const secretScanOptionsSchema = z
  .object({
    /** Files bigger than this (bytes) are not scanned; the report names them. */
    maxFileBytes: z.number().int().positive().default(1_048_576),
    /** A branch adding more commits than this is refused rather than scanned in part. */
    maxCommits: z.number().int().positive().default(1000),
  })
  .strict();
export type SecretScanOptions = z.infer<typeof secretScanOptionsSchema>;

/**
 * A value as the thread may show it: a pattern match keeps its first four characters (the public
 * prefix such as `ghp_`), a known value keeps none; both say how long they were.
 */
export function maskValue(value: string, options: { keepPrefix: boolean }): string {
  const prefix = options.keepPrefix && value.length >= 20 ? value.slice(0, 4) : '';
  return `${prefix}${'*'.repeat(8)} (${value.length} chars)`;
}

/** The 0-based index into `file.lines` of a character offset in the joined content. */
function lineIndexAt(content: string, offset: number): number {
  return content.slice(0, offset).split('\n').length - 1;
}

function finding(file: AddedFile, content: string, offset: number, rule: string, masked: string) {
  return {
    commit: file.commit,
    path: file.path,
    line: file.lines[lineIndexAt(content, offset)]?.number ?? 0,
    rules: [rule],
    masked,
  };
}

/** Secretlint reads the added lines joined together, so its offsets index into `file.lines`. */
async function secretlintFindings(file: AddedFile, content: string): Promise<SecretFinding[]> {
  const result = await lintSource({
    source: { content, filePath: file.path, contentType: 'text' },
    options: { config: SECRETLINT_CONFIG, maskSecrets: true },
  });
  return result.messages.map((message) => {
    const [start, end] = message.range;
    return finding(
      file,
      content,
      start,
      message.ruleId.replace(RULE_PREFIX, ''),
      maskValue(content.slice(start, end), { keepPrefix: true }),
    );
  });
}

/** The credential shapes Baton also redacts from its own output. */
function shapeFindings(file: AddedFile, content: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const shape of SECRET_SHAPES) {
    // A fresh copy: the shared pattern is global, and matchAll must not share its lastIndex.
    for (const match of content.matchAll(new RegExp(shape.pattern.source, shape.pattern.flags))) {
      findings.push(
        finding(file, content, match.index, shape.name, maskValue(match[0], { keepPrefix: true })),
      );
    }
  }
  return findings;
}

/** Values Baton holds (and their encodings), whatever they look like. */
function knownValueFindings(file: AddedFile, content: string, secrets: KnownSecrets): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const form of knownSecretForms(secrets)) {
    for (let at = content.indexOf(form.text); at >= 0; at = content.indexOf(form.text, at + 1)) {
      const rule = `known-secret (${form.name}${form.encoding === 'plain' ? '' : `, ${form.encoding}`})`;
      findings.push(finding(file, content, at, rule, maskValue(form.text, { keepPrefix: false })));
    }
  }
  return findings;
}

function mergeFindings(findings: readonly SecretFinding[]): SecretFinding[] {
  const byLocation = new Map<string, SecretFinding>();
  for (const entry of findings) {
    const key = `${entry.commit}:${entry.path}:${entry.line}`;
    const existing = byLocation.get(key);
    if (!existing) byLocation.set(key, { ...entry, rules: [...entry.rules] });
    else for (const rule of entry.rules) if (!existing.rules.includes(rule)) existing.rules.push(rule);
  }
  return [...byLocation.values()].sort(
    (a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.commit.localeCompare(b.commit),
  );
}

/** Scans added lines with secretlint's recommended rules, Baton's credential shapes and the known values. */
export async function scanAddedFiles(
  files: readonly AddedFile[],
  secrets: KnownSecrets = [],
): Promise<SecretFinding[]> {
  const findings: SecretFinding[] = [];
  for (const file of files) {
    if (file.lines.length === 0) continue;
    const content = file.lines.map((line) => line.text).join('\n');
    // Known values first: where a line has both, the merged finding shows the known value's mask (no prefix).
    findings.push(
      ...knownValueFindings(file, content, secrets),
      ...(await secretlintFindings(file, content)),
      ...shapeFindings(file, content),
    );
  }
  return mergeFindings(findings);
}

function describeFinding(entry: SecretFinding): string {
  return `${entry.path}:${entry.line} (${entry.rules.join(', ')}) ${entry.masked} in commit ${entry.commit.slice(0, 12)}`;
}

function describeSkipped(skipped: readonly SkippedFile[]): string {
  return skipped
    .map((file) => `${file.path} (${file.bytes} bytes, commit ${file.commit.slice(0, 12)})`)
    .join(', ');
}

function blockedResult(
  findings: readonly SecretFinding[],
  commits: number,
  secrets: KnownSecrets,
): StepResult {
  const listed = findings.slice(0, LISTED_IN_SUMMARY).map(describeFinding).join('; ');
  const more = findings.length > LISTED_IN_SUMMARY ? `; and ${findings.length - LISTED_IN_SUMMARY} more` : '';
  const noun = findings.length === 1 ? 'possible secret' : 'possible secrets';
  const summary = `Secret scan blocked the push: ${findings.length} ${noun} in the branch's ${commits} new commit(s): ${listed}${more}`;
  const output = [
    'Lines the branch adds, in any of its commits, that hold a credential:',
    ...findings.map((entry) => `- ${describeFinding(entry)}`),
    'Remove the value from every commit (a later commit that deletes it is not enough: the history is pushed too), and read it from the environment or a secret store instead.',
  ].join('\n');
  // File names come from the work; the masker is the last guard that no value slips through.
  return {
    status: 'blocked',
    summary: redactSecrets(summary, secrets),
    output: redactSecrets(output, secrets),
  };
}

/**
 * Blocks the push when any commit the branch would push adds a credential. It runs on the host,
 * after `commit`, over the commits exported from the sandbox into a quarantine: nothing in the
 * workspace (its git config, attributes, hooks) takes part, and a blocked branch never reaches the
 * mirror or a remote.
 */
export async function runSecretScan(
  context: MiddlewareContext,
  options: SecretScanOptions,
): Promise<StepResult> {
  const work = await context.host.importWork();
  if (!work) return { status: 'passed', summary: 'Secret scan: the branch has no new commits.' };
  let blocked = false;
  try {
    // Not aborted with the turn: keeping a cancelled turn's work runs the scan after the cancel.
    const reader = createObjectReader({ gitDir: work.gitDir, hostEnv: work.hostEnv });
    const additions = await collectRangeAdditions({
      reader,
      base: work.base,
      head: work.head,
      maxFileBytes: options.maxFileBytes,
      maxCommits: options.maxCommits,
    });
    const findings = await scanAddedFiles(additions.files, context.secrets);
    const lineCount = additions.files.reduce((total, file) => total + file.lines.length, 0);
    const binaryFiles = additions.files.filter((file) => file.binary).length;
    context.log.info(
      {
        step: 'secret-scan',
        base: work.base,
        head: work.head,
        commits: additions.commits.length,
        files: additions.files.length,
        lines: lineCount,
        binaryFilesScannedAsText: binaryFiles,
        oversizedNotScanned: additions.oversized.map((file) => file.path),
        findings: findings.map(describeFinding),
      },
      'secret scan finished',
    );
    if (findings.length > 0) {
      blocked = true;
      return blockedResult(findings, additions.commits.length, context.secrets);
    }
    const binaryNote = binaryFiles > 0 ? ` (${binaryFiles} of them binary, read as text)` : '';
    const oversizedNote =
      additions.oversized.length > 0
        ? `; not scanned, over ${options.maxFileBytes} bytes: ${describeSkipped(additions.oversized)}`
        : '';
    return {
      status: 'passed',
      summary: redactSecrets(
        `Secret scan: no secrets in ${lineCount} added lines across ${additions.files.length} files${binaryNote} in ${additions.commits.length} commit(s)${oversizedNote}`,
        context.secrets,
      ),
      commit: work.head,
    };
  } catch (error) {
    blocked = true;
    throw error;
  } finally {
    // A branch that was not cleared leaves nothing behind on the host: neither quarantine nor bundle.
    await work.release({ dropBundle: blocked });
  }
}

export function createSecretScanMiddleware(options: Record<string, unknown> = {}): Middleware {
  const parsed = parseMiddlewareOptions('secret-scan', secretScanOptionsSchema, options);
  return { name: 'secret-scan', feedback: false, run: (context) => runSecretScan(context, parsed) };
}
