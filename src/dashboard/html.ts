/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Colours checked for WCAG AA contrast (4.5:1 for text) on their backgrounds. */
const STYLE = `
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--link:#0550ae;--focus:#0969da}
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:var(--ink);background:var(--bg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
header{background:#1b1f24;color:#fff;padding:10px 24px;display:flex;gap:20px;align-items:center;flex-wrap:wrap}
header a{color:#fff;font-weight:600;text-decoration:none}header a:hover{text-decoration:underline}
header .who{margin-left:auto;display:flex;gap:10px;align-items:center}
header button{background:none;border:1px solid #8c959f;color:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}
main{padding:16px 24px;max-width:1200px}
h1{font-size:20px;margin:8px 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);background:#f6f8fa}
tbody tr:focus-within{background:#ddf4ff}
.num{text-align:right;font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eaeef2;color:#24292f}
.status-succeeded{background:#dafbe1;color:#116329}.status-failed,.status-budget_exhausted{background:#ffebe9;color:#a40e26}
.status-running,.status-queued{background:#ddf4ff;color:#0550ae}.status-waiting,.status-cancelled{background:#fff8c5;color:#6b4c00}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:8px 12px}
.item{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:6px 12px}
.item>summary,.item>h3{cursor:pointer;font-size:13px;color:var(--ink);margin:0;font-weight:600}
.item .meta{color:var(--muted);font-weight:400}
.item.error{border-color:#cf222e;background:#fff5f5}.item .result.failed{border-left:3px solid #cf222e;padding-left:8px}
.item .result{margin-top:6px}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;font:12px/1.45 ui-monospace,monospace;max-height:28em;overflow:auto}
.muted{color:var(--muted)}
.notice{padding:8px 12px;border-radius:6px;background:#ddf4ff}.notice.error{background:#ffebe9;color:#a40e26}
form.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
input,select,button{font:inherit;padding:4px 8px;border:1px solid #8c959f;border-radius:4px;background:#fff;color:var(--ink)}
button,.button{cursor:pointer;display:inline-block;text-decoration:none;padding:5px 12px;border-radius:6px;border:1px solid #8c959f;background:#f6f8fa;color:var(--ink)}
.primary{background:#1f883d;border-color:#1a7f37;color:#fff}.danger{background:#cf222e;border-color:#a40e26;color:#fff}
.controls{display:flex;gap:8px;margin:8px 0}
.stack{display:flex;flex-direction:column;gap:8px;max-width:320px}
.pager{display:flex;gap:12px;margin:12px 0}
.plan{list-style:none;padding:0}.plan li::before{content:attr(data-mark) " ";font-family:ui-monospace,monospace}
.diff-file{margin:10px 0;background:#fff;border:1px solid var(--line);border-radius:6px}
.diff-file h3{margin:0;padding:6px 10px;font:600 13px ui-monospace,monospace;background:#f6f8fa;border-bottom:1px solid var(--line)}
.diff{margin:0;max-height:none;padding:4px 0}.diff span{display:block;padding:0 10px}
.diff .add{background:#dafbe1;color:#116329}.diff .del{background:#ffebe9;color:#82071e}.diff .hunk{background:#ddf4ff;color:#0550ae}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
`;

export interface PageViewer {
  name: string;
  csrf: string;
  /** False when the viewer cannot sign out (loopback, proxy). */
  canSignOut: boolean;
}

export interface PageOptions {
  title: string;
  body: string;
  viewer?: PageViewer;
}

/** The page frame shared by every dashboard page; works without JavaScript, which only adds live updates. */
export function page(options: PageOptions): string {
  const { viewer } = options;
  const who = viewer
    ? `<span class="who"><span>${escapeHtml(viewer.name)}</span>${
        viewer.canSignOut
          ? `<form method="post" action="/auth/signout"><input type="hidden" name="csrf" value="${escapeHtml(viewer.csrf)}"><button type="submit">Sign out</button></form>`
          : ''
      }</span>`
    : '';
  const nav = viewer ? '<a href="/runs">Runs</a><a href="/runs/usage">Usage</a>' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(options.title)} · Baton</title><style>${STYLE}</style><script src="/assets/dashboard.js" defer></script></head><body><a class="skip" href="#main">Skip to content</a><header><a href="/runs">Baton</a>${nav}${who}</header><main id="main" tabindex="-1">${options.body}</main></body></html>`;
}
