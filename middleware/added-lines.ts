import { BatonError } from '../src/observability/errors.ts';
import type { Sandbox } from '../src/sandbox/types.ts';
import { SCRATCH_DIR, STAGE_WORK, shellQuote } from './git-shell.ts';

export interface AddedLine {
  /** 1-based line number in the new version of the file. */
  number: number;
  text: string;
}

export interface AddedFile {
  path: string;
  binary: boolean;
  lines: AddedLine[];
}

export interface BranchAdditions {
  /** The commit the additions are measured from (the merge base of baseRef and HEAD). */
  base: string;
  files: AddedFile[];
}

const DIFF_PATH = `${SCRATCH_DIR}/secret-scan.diff`;
const BASE_MISSING_EXIT = 3;

/**
 * Stages everything `commit` would stage into a throwaway index (the real index stays as it is)
 * and writes its diff against the fork point to a scratch file. Prints the fork point.
 */
function diffScript(baseRef: string): string {
  const ref = shellQuote(`${baseRef}^{commit}`);
  const remoteRef = shellQuote(`origin/${baseRef}^{commit}`);
  return [
    'set -e',
    `base=$(git rev-parse --verify --quiet ${ref} || git rev-parse --verify --quiet ${remoteRef}) || exit ${BASE_MISSING_EXIT}`,
    'fork=$(git merge-base "$base" HEAD 2>/dev/null || echo "$base")',
    `mkdir -p ${SCRATCH_DIR}`,
    `index="$PWD/${SCRATCH_DIR}/secret-scan.index"`,
    'rm -f "$index"',
    'trap \'rm -f "$index"\' EXIT',
    // -p keeps the index's mtime: git trusts entries older than the index file, so a fresh mtime would
    // hide a same-size edit made in the second the index was written (a "racily clean" entry).
    'cp -p "$(git rev-parse --git-path index)" "$index" 2>/dev/null || true',
    'export GIT_INDEX_FILE="$index"',
    STAGE_WORK,
    `git -c core.quotePath=false diff --cached --no-color --no-ext-diff --find-renames --diff-filter=d --unified=0 "$fork" > ${DIFF_PATH}`,
    'echo "$fork"',
  ].join('\n');
}

function unquotePath(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'string' ? parsed : raw.slice(1, -1);
  } catch {
    return raw.slice(1, -1);
  }
}

function stripPrefix(path: string): string {
  // git ends a `+++` path that holds a space with a tab; a path with a real tab comes quoted.
  const unquoted = unquotePath(path.endsWith('\t') ? path.slice(0, -1) : path);
  return unquoted.startsWith('b/') ? unquoted.slice(2) : unquoted;
}

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const BINARY_LINE = /^Binary files .* and (.+) differ$/;

/** The added lines of a `--unified=0` diff, per file. Hunk counts tell content from headers. */
export function parseAddedLines(diff: string): AddedFile[] {
  const files: AddedFile[] = [];
  let current: AddedFile | undefined;
  let added = 0;
  let removed = 0;
  let lineNumber = 0;
  for (const line of diff.split('\n')) {
    if (added > 0 || removed > 0) {
      if (line.startsWith('+') && added > 0) {
        current?.lines.push({ number: lineNumber, text: line.slice(1) });
        lineNumber += 1;
        added -= 1;
      } else if (line.startsWith('-') && removed > 0) {
        removed -= 1;
      }
      continue;
    }
    const hunk = HUNK_HEADER.exec(line);
    if (hunk) {
      removed = hunk[1] === undefined ? 1 : Number(hunk[1]);
      lineNumber = Number(hunk[2]);
      added = hunk[3] === undefined ? 1 : Number(hunk[3]);
      continue;
    }
    if (line.startsWith('diff --git ')) {
      current = undefined;
    } else if (line.startsWith('+++ ') && line !== '+++ /dev/null') {
      current = { path: stripPrefix(line.slice(4)), binary: false, lines: [] };
      files.push(current);
    } else {
      const binary = BINARY_LINE.exec(line);
      if (binary?.[1]) files.push({ path: stripPrefix(binary[1]), binary: true, lines: [] });
    }
  }
  return files;
}

/** What the branch adds compared with `baseRef`, including files not yet committed. */
export async function collectBranchAdditions(options: {
  sandbox: Sandbox;
  baseRef: string;
}): Promise<BranchAdditions> {
  const { sandbox, baseRef } = options;
  try {
    const result = await sandbox.exec({ cmd: diffScript(baseRef) });
    if (result.exitCode === BASE_MISSING_EXIT) {
      throw new BatonError({
        code: 'secret_scan_base_missing',
        message: `The secret scan cannot find the base ref "${baseRef}" in the workspace, so it cannot tell what the branch adds.`,
        hint: 'Check the repository default branch in the configuration.',
      });
    }
    if (result.exitCode !== 0) {
      throw new BatonError({
        code: 'secret_scan_diff_failed',
        message: `The secret scan could not diff the workspace (exit ${result.exitCode}): ${result.stderr.trim().slice(-500)}`,
        retryable: true,
      });
    }
    const diff = await sandbox.readFile(DIFF_PATH);
    return { base: result.stdout.trim(), files: parseAddedLines(diff) };
  } finally {
    // The diff may hold the very secret that was found; it must not linger in the workspace.
    await sandbox.exec({ cmd: `rm -f ${DIFF_PATH}` });
  }
}
