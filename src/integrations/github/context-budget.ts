import type { ContextDocument } from '../../context/types.ts';

/** Cuts `text` to `limit` characters, saying how much was left out. `keep: 'end'` keeps the tail. */
export function truncate(text: string, limit: number, keep: 'start' | 'end' = 'start'): string {
  if (text.length <= limit) return text;
  const note = `[… ${text.length - Math.max(limit, 0)} more characters not shown]`;
  const room = Math.max(limit - note.length - 1, 0);
  return keep === 'start' ? `${text.slice(0, room)}\n${note}` : `${note}\n${text.slice(text.length - room)}`;
}

/**
 * Keeps the newest documents that fit in `budget` characters (each also cut to `perDocument`), in
 * their original order. The oldest go first: in a long discussion the latest words matter most.
 */
export function fitNewest(
  documents: readonly ContextDocument[],
  budget: number,
  perDocument: number,
): { kept: ContextDocument[]; dropped: number } {
  const kept: ContextDocument[] = [];
  let used = 0;
  for (let index = documents.length - 1; index >= 0; index -= 1) {
    const document = documents[index];
    if (!document) continue;
    const text = truncate(document.text, perDocument);
    if (used + text.length > budget) break;
    used += text.length;
    kept.unshift({ ...document, text });
  }
  return { kept, dropped: documents.length - kept.length };
}

export function totalChars(documents: readonly ContextDocument[]): number {
  return documents.reduce((sum, document) => sum + document.text.length, 0);
}
