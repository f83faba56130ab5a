import type { RunSummary } from '../store/run-queries.ts';
import type { BranchDiff } from './branch-diff.ts';
import { escapeHtml, type PageViewer, page } from './html.ts';
import { taskOf } from './render-run.ts';

function highlight(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      const kind = line.startsWith('@@')
        ? 'hunk'
        : line.startsWith('+') && !line.startsWith('+++')
          ? 'add'
          : line.startsWith('-') && !line.startsWith('---')
            ? 'del'
            : 'ctx';
      return `<span class="${kind}">${escapeHtml(line) || ' '}</span>`;
    })
    .join('');
}

/** The branch's diff against its base, one section per file, additions and removals coloured. */
export function renderDiffPage(run: RunSummary, diff: BranchDiff, viewer: PageViewer): string {
  const back = `<p><a href="/runs/${encodeURIComponent(run.turn.id)}">← Back to the run</a></p>`;
  const title = `Diff · ${taskOf(run) || run.turn.id}`;
  if (diff.type === 'unavailable')
    return page({
      title,
      body: `<h1>Diff of <code>${escapeHtml(run.thread.branch)}</code></h1>${back}<p class="notice">${escapeHtml(diff.reason)}</p>`,
      viewer,
    });
  const summary = `<p>${diff.files.length} file${diff.files.length === 1 ? '' : 's'} changed against <code>${escapeHtml(diff.base)}</code>${diff.source === 'checkpoint' ? ' (from the run’s latest checkpoint)' : ''}.${diff.truncated ? ' <strong>The diff is cut: it is too large to show whole.</strong>' : ''}</p>`;
  const index = `<ul>${diff.files.map((file, position) => `<li><a href="#file-${position}">${escapeHtml(file.path)}</a> <span class="muted">+${file.added} −${file.removed}</span></li>`).join('')}</ul>`;
  const files = diff.files
    .map(
      (file, position) =>
        `<section class="diff-file" id="file-${position}"><h3>${escapeHtml(file.path)} <span class="muted">+${file.added} −${file.removed}</span></h3><pre class="diff">${highlight(file.patch)}</pre></section>`,
    )
    .join('');
  return page({
    title,
    body: `<h1>Diff of <code>${escapeHtml(run.thread.branch)}</code></h1>${back}${summary}${index}${files}`,
    viewer,
  });
}
