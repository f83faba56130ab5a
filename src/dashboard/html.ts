/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:12px 24px;display:flex;gap:16px;align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px 24px;max-width:1100px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e4e6ea;vertical-align:top}
th{font-weight:600;color:#555;background:#fafbfc}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e4e6ea}
.status-succeeded{background:#d6f5dd}.status-failed,.status-budget_exhausted{background:#fbd9d6}
.status-running,.status-queued{background:#dde8fb}.status-waiting,.status-cancelled{background:#f5ecd0}
.item{background:#fff;border:1px solid #e4e6ea;border-radius:6px;margin:8px 0;padding:8px 12px}
.item h3{margin:0 0 4px;font-size:13px;color:#555}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.4 ui-monospace,monospace;max-height:24em;overflow:auto}
.muted{color:#777}
`;

/** The page frame shared by every dashboard page. */
export function page(title: string, body: string, options: { refreshSeconds?: number } = {}): string {
  const refresh = options.refreshSeconds
    ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Baton</title>${refresh}<style>${STYLE}</style></head><body><header><a href="/runs">Baton</a><span>${escapeHtml(title)}</span></header><main>${body}</main></body></html>`;
}
