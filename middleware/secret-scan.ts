import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { z } from 'zod';
import { redactSecrets, SECRET_SHAPES } from '../src/observability/redact.ts';
import { type AddedFile, collectBranchAdditions } from './added-lines.ts';
import { parseMiddlewareOptions } from './options.ts';
import type { Middleware, MiddlewareContext, StepResult } from './types.ts';

/** Where a secret was added and which rule saw it. Never the value. */
export interface SecretFinding {
  path: string;
  line: number;
  rules: string[];
}

type SecretlintConfig = Parameters<typeof lintSource>[0]['options']['config'];

const SECRETLINT_CONFIG: SecretlintConfig = {
  rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }],
};
const RULE_PREFIX = '@secretlint/secretlint-rule-';
const LISTED_IN_SUMMARY = 5;

const optionsSchema = z.object({}).strict();

/** Secretlint reads added lines joined together, so its line numbers index into `file.lines`. */
async function secretlintFindings(file: AddedFile, content: string): Promise<SecretFinding[]> {
  const result = await lintSource({
    source: { content, filePath: file.path, contentType: 'text' },
    options: { config: SECRETLINT_CONFIG, maskSecrets: true },
  });
  return result.messages.map((message) => ({
    path: file.path,
    line: file.lines[message.loc.start.line - 1]?.number ?? 0,
    rules: [message.ruleId.replace(RULE_PREFIX, '')],
  }));
}

/** The credential shapes Baton also redacts from its own output. */
function shapeFindings(file: AddedFile, content: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const shape of SECRET_SHAPES) {
    // A fresh copy: the shared pattern is global, and matchAll must not share its lastIndex.
    for (const match of content.matchAll(new RegExp(shape.pattern.source, shape.pattern.flags))) {
      const lineIndex = content.slice(0, match.index).split('\n').length - 1;
      findings.push({ path: file.path, line: file.lines[lineIndex]?.number ?? 0, rules: [shape.name] });
    }
  }
  return findings;
}

function mergeFindings(findings: readonly SecretFinding[]): SecretFinding[] {
  const byLocation = new Map<string, SecretFinding>();
  for (const finding of findings) {
    const key = `${finding.path}:${finding.line}`;
    const existing = byLocation.get(key);
    if (!existing) byLocation.set(key, { ...finding, rules: [...finding.rules] });
    else for (const rule of finding.rules) if (!existing.rules.includes(rule)) existing.rules.push(rule);
  }
  return [...byLocation.values()].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
}

/** Scans the added lines of each file with secretlint's recommended rules and Baton's credential shapes. */
export async function scanAddedFiles(files: readonly AddedFile[]): Promise<SecretFinding[]> {
  const findings: SecretFinding[] = [];
  for (const file of files) {
    if (file.binary || file.lines.length === 0) continue;
    const content = file.lines.map((line) => line.text).join('\n');
    findings.push(...(await secretlintFindings(file, content)), ...shapeFindings(file, content));
  }
  return mergeFindings(findings);
}

function describeFinding(finding: SecretFinding): string {
  return `${finding.path}:${finding.line} (${finding.rules.join(', ')})`;
}

function blockedResult(findings: readonly SecretFinding[], base: string): StepResult {
  const listed = findings.slice(0, LISTED_IN_SUMMARY).map(describeFinding).join('; ');
  const more = findings.length > LISTED_IN_SUMMARY ? `; and ${findings.length - LISTED_IN_SUMMARY} more` : '';
  const noun = findings.length === 1 ? 'possible secret' : 'possible secrets';
  const summary = `Secret scan blocked the push: ${findings.length} ${noun} added: ${listed}${more}`;
  const output = [
    `Lines added since ${base.slice(0, 12)} that look like credentials:`,
    ...findings.map((finding) => `- ${describeFinding(finding)}`),
    'Remove the value and read it from the environment or a secret store instead; the history of this branch must not contain it.',
  ].join('\n');
  // File names come from the workspace; the redactor is the last guard that no value slips through.
  return { status: 'blocked', summary: redactSecrets(summary), output: redactSecrets(output) };
}

/** Blocks the push when the branch adds anything that looks like a credential. */
export async function runSecretScan(context: MiddlewareContext): Promise<StepResult> {
  const additions = await collectBranchAdditions({ sandbox: context.sandbox, baseRef: context.baseRef });
  const textFiles = additions.files.filter((file) => !file.binary);
  const binaryFiles = additions.files.filter((file) => file.binary).map((file) => file.path);
  const findings = await scanAddedFiles(textFiles);
  const lineCount = textFiles.reduce((total, file) => total + file.lines.length, 0);
  context.log.info(
    {
      step: 'secret-scan',
      base: additions.base,
      files: textFiles.length,
      lines: lineCount,
      binaryFilesNotScanned: binaryFiles,
      findings: findings.map(describeFinding),
    },
    'secret scan finished',
  );
  if (findings.length > 0) return blockedResult(findings, additions.base);
  const binaryNote = binaryFiles.length > 0 ? `; ${binaryFiles.length} binary files not scanned` : '';
  return {
    status: 'passed',
    summary: `Secret scan: no secrets in ${lineCount} added lines across ${textFiles.length} files${binaryNote}`,
  };
}

export function createSecretScanMiddleware(options: Record<string, unknown> = {}): Middleware {
  parseMiddlewareOptions('secret-scan', optionsSchema, options);
  return { name: 'secret-scan', feedback: false, run: runSecretScan };
}
