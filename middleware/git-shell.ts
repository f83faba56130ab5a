/** Quotes one argument for `sh -c`: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Baton's scratch directory inside the workspace (git-excluded by the sandbox, and never staged here). */
export const SCRATCH_DIR = '.baton';

/**
 * Stages the work: the whole tree, then the scratch directory taken back out (back to HEAD), in
 * case the repository tracks one. (An exclude pathspec would be neater, but git 2.39 exits 1 when
 * that pathspec names an ignored directory.)
 */
export const STAGE_WORK = `git add -A :/ && git reset -q -- ${SCRATCH_DIR}`;
