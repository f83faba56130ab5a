/**
 * Makes a model-written unified diff safe for `git apply --recount`. Recounting ignores hunk sizes, so
 * without `diff --git` lines between files the next file's `---` header reads as a removed line. Plain
 * diffs get git headers (with creation and deletion modes for /dev/null); git-format diffs pass through.
 */
export function normalizePatch(patch: string): string {
  const lines = stripFence(patch.replace(/\r\n/g, '\n')).split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.some((line) => line.startsWith('diff --git '))) return `${addMissingModes(lines).join('\n')}\n`;

  const output: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const next = lines[index + 1] ?? '';
    if (!(line.startsWith('--- ') && next.startsWith('+++ '))) {
      output.push(line);
      continue;
    }
    const oldPath = headerPath(line, 'a/');
    const newPath = headerPath(next, 'b/');
    const name = newPath ?? oldPath ?? 'unknown';
    output.push(`diff --git a/${oldPath ?? name} b/${name}`);
    if (oldPath === null) output.push('new file mode 100644');
    if (newPath === null) output.push('deleted file mode 100644');
    output.push(oldPath === null ? '--- /dev/null' : `--- a/${oldPath}`);
    output.push(newPath === null ? '+++ /dev/null' : `+++ b/${newPath}`);
    index += 1;
  }
  return `${output.join('\n')}\n`;
}

/** The path of a `---`/`+++` header without timestamp or prefix; null for /dev/null. */
function headerPath(line: string, prefix: string): string | null {
  const path = (line.slice(4).split('\t')[0] ?? '').trim();
  if (path === '/dev/null') return null;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

function stripFence(patch: string): string {
  return patch.replace(/^\s*```[a-z]*\n/, '').replace(/\n```\s*$/, '\n');
}

/** Git-format diffs need `new file mode` / `deleted file mode` for /dev/null sides; models often leave them out. */
function addMissingModes(lines: readonly string[]): string[] {
  const output: string[] = [];
  let header: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const next = lines[index + 1] ?? '';
    if (line.startsWith('diff --git ')) header = [];
    if (line.startsWith('--- ') && next.startsWith('+++ ')) {
      if (line === '--- /dev/null' && !header.some((entry) => entry.startsWith('new file mode'))) {
        output.push('new file mode 100644');
      }
      if (next === '+++ /dev/null' && !header.some((entry) => entry.startsWith('deleted file mode'))) {
        output.push('deleted file mode 100644');
      }
    }
    header.push(line);
    output.push(line);
  }
  return output;
}
