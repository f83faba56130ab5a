import type { RouteHandler } from '../gateway/route-table.ts';

/**
 * Progressive enhancement, no framework: every page works without this. With it, the run page
 * appends new items as they stream in (scroll position kept), the list swaps in fresh rows, and
 * relative times stay current.
 */
export const DASHBOARD_SCRIPT = `(() => {
  'use strict';
  const parse = (html) => document.createRange().createContextualFragment(html);
  const relative = (iso) => {
    const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (!Number.isFinite(seconds)) return null;
    if (seconds < 45) return 'just now';
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + ' min ago';
    const hours = Math.round(minutes / 60);
    if (hours < 24) return hours + ' h ago';
    const days = Math.round(hours / 24);
    return days < 30 ? days + ' d ago' : iso.slice(0, 10);
  };
  const refreshTimes = () => {
    for (const time of document.querySelectorAll('time[data-relative]')) {
      const text = relative(time.getAttribute('datetime'));
      if (text && time.textContent !== text) time.textContent = text;
    }
  };
  setInterval(refreshTimes, 30000);

  const timeline = document.getElementById('timeline');
  if (timeline && timeline.dataset.stream) {
    const source = new EventSource(timeline.dataset.stream + '?after=' + encodeURIComponent(timeline.dataset.after || '0'));
    const state = document.getElementById('live-state');
    source.addEventListener('item', (event) => {
      const fragment = JSON.parse(event.data);
      if (timeline.querySelector('[data-sequence="' + fragment.sequence + '"]')) return;
      if (fragment.kind === 'result') {
        const call = [...timeline.querySelectorAll('details[data-call-id]')].find((node) => node.dataset.callId === fragment.callId);
        if (call) {
          const pending = call.querySelector('.result.pending');
          if (pending) pending.replaceWith(parse(fragment.html));
          const badge = call.querySelector('summary .status-running');
          if (badge) {
            if (fragment.ok) badge.remove();
            else { badge.textContent = 'failed'; badge.className = 'status status-failed'; call.open = true; }
          }
          return;
        }
        timeline.append(parse(fragment.fallback));
      } else {
        timeline.append(parse(fragment.html));
      }
      timeline.dataset.after = String(fragment.sequence);
    });
    source.addEventListener('facts', (event) => {
      const facts = document.getElementById('facts');
      if (facts) facts.replaceWith(parse(JSON.parse(event.data).html));
    });
    source.addEventListener('plan', (event) => {
      const plan = document.getElementById('plan');
      if (plan) plan.replaceChildren(parse(JSON.parse(event.data).html));
    });
    source.addEventListener('end', (event) => {
      source.close();
      if (state) state.textContent = 'ended: ' + JSON.parse(event.data).status;
      timeline.dataset.ended = 'true';
    });
  }

  const rows = document.getElementById('run-rows');
  if (rows && rows.dataset.live) {
    const source = new EventSource(rows.dataset.live);
    source.addEventListener('rows', (event) => {
      rows.replaceChildren(parse(JSON.parse(event.data).html));
    });
  }

  // Keyboard: j / k move between runs in the list, / focuses the search.
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === '/') {
      const search = document.querySelector('input[type=search]');
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (event.key !== 'j' && event.key !== 'k') return;
    const links = [...document.querySelectorAll('#run-rows a')];
    if (links.length === 0) return;
    const index = links.indexOf(document.activeElement);
    const next = event.key === 'j' ? Math.min(index + 1, links.length - 1) : Math.max(index - 1, 0);
    links[next].focus();
  });
})();
`;

export const serveDashboardScript: RouteHandler = (_request, response) => {
  response.writeHead(200, {
    'content-type': 'text/javascript; charset=utf-8',
    'content-length': Buffer.byteLength(DASHBOARD_SCRIPT),
    'cache-control': 'public, max-age=300',
  });
  response.end(DASHBOARD_SCRIPT);
};
