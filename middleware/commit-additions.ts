import { BatonError } from '../src/observability/errors.ts';
import type { ObjectReader } from './host-objects.ts';

export interface AddedLine {
  /** 1-based line number in the commit's version of the file. */
  number: number;
  text: string;
}

/** What one commit added to one file (or, with `path` in parentheses, its message). */
export interface AddedFile {
  commit: string;
  path: string;
  /** Git would call it binary (a NUL byte near the start); it is scanned as text all the same. */
  binary: boolean;
  lines: AddedLine[];
}

export interface SkippedFile {
  commit: string;
  path: string;
  bytes: number;
}

export interface RangeAdditions {
  commits: string[];
  files: AddedFile[];
  /** Files bigger than the bound: not scanned, and named in the report. */
  oversized: SkippedFile[];
}

export interface CollectOptions {
  reader: ObjectReader;
  base: string;
  head: string;
  maxFileBytes: number;
  /** A range longer than this is refused rather than scanned in part. */
  maxCommits: number;
}

const GITLINK_MODE = '160000';
const NULL_ID = /^0+$/;
/** Git looks for a NUL in the first 8000 bytes to call a file binary. */
const BINARY_SNIFF_BYTES = 8000;
const READ_BATCH = 200;

interface Change {
  path: string;
  oldId?: string;
  newId: string;
}

/** `diff-tree -r -z --raw` entries: `:oldmode newmode oldid newid status\0path\0`. */
function parseRaw(output: string): Change[] {
  const changes: Change[] = [];
  const fields = output.split('\0');
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const meta = fields[index] ?? '';
    const path = fields[index + 1] ?? '';
    const [, newMode = '', oldId = '', newId = '', status = ''] = meta.replace(/^:/, '').split(' ');
    if (status.startsWith('D') || newMode === GITLINK_MODE || NULL_ID.test(newId)) continue;
    changes.push({ path, oldId: NULL_ID.test(oldId) ? undefined : oldId, newId });
  }
  return changes;
}

function decode(bytes: Buffer): { text: string; binary: boolean } {
  const binary = bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
  // latin1 keeps every byte as one character, so ASCII credentials inside binary data stay intact.
  return { text: bytes.toString(binary ? 'latin1' : 'utf8'), binary };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Lines of `next` that `previous` does not have (as a multiset): what the commit added. */
export function addedLines(previous: string | undefined, next: string): AddedLine[] {
  const remaining = new Map<string, number>();
  for (const line of previous === undefined ? [] : splitLines(previous))
    remaining.set(line, (remaining.get(line) ?? 0) + 1);
  const added: AddedLine[] = [];
  splitLines(next).forEach((line, index) => {
    const count = remaining.get(line) ?? 0;
    if (count > 0) remaining.set(line, count - 1);
    else added.push({ number: index + 1, text: line });
  });
  return added;
}

async function emptyTree(reader: ObjectReader): Promise<string> {
  return (await reader.git(['hash-object', '-t', 'tree', '--stdin'], '')).trim();
}

/** The commits of base..head with their parents; an orphan (root) commit is compared with the empty tree. */
async function rangeCommits(options: CollectOptions): Promise<{ commit: string; parents: string[] }[]> {
  const listed = await options.reader.git(['rev-list', '--parents', `${options.head}`, `^${options.base}`]);
  const commits = listed
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', ...parents] = line.split(' ');
      return { commit, parents };
    });
  if (commits.length > options.maxCommits) {
    throw new BatonError({
      code: 'secret_scan_range_too_long',
      message: `The branch adds ${commits.length} commits; the secret scan reads at most ${options.maxCommits}, so nothing is pushed.`,
      hint: 'Squash the work into fewer commits, or raise the secret-scan option maxCommits.',
    });
  }
  return commits;
}

/**
 * Every line each commit of base..head added, per file, read from the objects themselves. A merge
 * is compared with each parent, so content that only the merge brings in is seen. Each commit's
 * message counts as a file too.
 */
export async function collectRangeAdditions(options: CollectOptions): Promise<RangeAdditions> {
  const { reader } = options;
  const commits = await rangeCommits(options);
  const files: AddedFile[] = [];
  const oversized: SkippedFile[] = [];
  let empty: string | undefined;
  for (const { commit, parents } of commits) {
    const raw = (await reader.read([commit])).get(commit)?.toString('utf8') ?? '';
    const separator = raw.indexOf('\n\n');
    const message = separator < 0 ? '' : raw.slice(separator + 2);
    files.push({
      commit,
      path: `(commit message of ${commit.slice(0, 12)})`,
      binary: false,
      lines: addedLines(undefined, message),
    });
    const changes = new Map<string, Change>();
    if (parents.length === 0 && empty === undefined) empty = await emptyTree(reader);
    const against = parents.length > 0 ? parents : [empty as string];
    for (const parent of against) {
      const raw = await reader.git(['diff-tree', '-r', '-z', '--raw', '--no-renames', parent, commit]);
      for (const change of parseRaw(raw)) {
        // Against several parents, the version with the fewest known lines (none) is the widest view.
        const seen = changes.get(change.path);
        if (!seen || (seen.oldId !== undefined && change.oldId === undefined))
          changes.set(change.path, change);
      }
    }
    const list = [...changes.values()];
    const sizes = await reader.sizes(list.map((change) => change.newId));
    const scannable = list.filter((change) => {
      const bytes = sizes.get(change.newId) ?? 0;
      if (bytes <= options.maxFileBytes) return true;
      oversized.push({ commit, path: change.path, bytes });
      return false;
    });
    for (let start = 0; start < scannable.length; start += READ_BATCH) {
      const batch = scannable.slice(start, start + READ_BATCH);
      const ids = new Set<string>();
      for (const change of batch) {
        ids.add(change.newId);
        if (change.oldId) ids.add(change.oldId);
      }
      const blobs = await reader.read([...ids]);
      for (const change of batch) {
        const next = decode(blobs.get(change.newId) ?? Buffer.alloc(0));
        const previousBlob = change.oldId ? blobs.get(change.oldId) : undefined;
        const previous = previousBlob ? decode(previousBlob).text : undefined;
        const lines = addedLines(previous, next.text);
        if (lines.length > 0) files.push({ commit, path: change.path, binary: next.binary, lines });
      }
    }
  }
  return { commits: commits.map((entry) => entry.commit), files, oversized };
}
