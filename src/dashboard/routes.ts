import type { ServerResponse } from 'node:http';
import type { DashboardConfig } from '../config/schema.ts';
import { sendError, sendJson, sendText } from '../gateway/respond.ts';
import type { GatewayRequest, RouteHandler } from '../gateway/route-table.ts';
import type { Logger } from '../observability/logger.ts';
import { formatItemJsonl } from '../observability/session-log.ts';
import type { Item } from '../runs/items.ts';
import { decodeCursor, encodeCursor, type RunQueries, type RunSummary } from '../store/run-queries.ts';
import type { Store } from '../store/types.ts';
import { canControl, canSee, type Viewer, visibilityOf } from './access.ts';
import { serveDashboardScript } from './assets.ts';
import type { DashboardAuth } from './auth/dashboard-auth.ts';
import type { BranchDiffSource } from './branch-diff.ts';
import { type ControlsOptions, createControls } from './controls.ts';
import { escapeHtml, type PageViewer, page } from './html.ts';
import { createFilterChoices, visibleUndeliveredFinals } from './list-extras.ts';
import { streamList, streamRun } from './live.ts';
import type { PullRequestStateSource } from './pull-request-state.ts';
import { redactStrings } from './redact-strings.ts';
import { renderDiffPage } from './render-diff.ts';
import { renderRunRows, renderRunsPage, renderUsagePage } from './render-list.ts';
import { type OriginLink, type RunView, renderFacts, renderRunPage, traceIdOf } from './render-run.ts';
import { createAnswers, createGuard, filtersOf } from './request-guard.ts';

export interface DashboardOptions {
  store: Pick<Store, 'listItems' | 'appendItem' | 'findActiveTurn' | 'listUndeliveredFinals'>;
  queries: RunQueries;
  auth: DashboardAuth;
  config: DashboardConfig;
  intake: ControlsOptions['intake'];
  afterSubmit?: ControlsOptions['afterSubmit'];
  /** Slack permalink, Linear issue or GitHub PR of a run; cached by the caller if it costs a call. */
  originLink(run: RunSummary): Promise<OriginLink>;
  branchDiff: BranchDiffSource;
  /** The pull request's state on GitHub (draft, open, merged, closed), when it is one. */
  pullRequestState?: PullRequestStateSource;
  /** Masks secrets in everything the dashboard sends (items hold model and tool text). */
  redact: (text: string) => string;
  log: Logger;
  now?: () => number;
  /** How often live views look for new items. */
  pollMs?: number;
  pageSize?: number;
}

const RUN_ID = /^[A-Za-z0-9_-]{1,100}$/;
const HTML = 'text/html; charset=utf-8';

/** `/runs…` (HTML, live streams, controls), `/api/runs…` (JSON) and the page script. */
export function createDashboardRoutes(options: DashboardOptions): {
  pages: RouteHandler;
  api: RouteHandler;
  script: RouteHandler;
} {
  const { auth, queries, log } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 100;
  const pageSize = options.pageSize ?? 50;
  const controls = createControls({
    store: options.store,
    intake: options.intake,
    afterSubmit: options.afterSubmit,
    now,
    log,
  });

  const filterValues = createFilterChoices({ queries, now });

  // Each string is masked before anything is serialised: masking JSON text could miss a secret that
  // JSON escapes, or break the quoting.
  const mask = <T>(value: T): T => redactStrings(value, options.redact);
  const redactItems = (items: readonly Item[]): Item[] => items.map(mask);
  const pageViewer = (viewer: Viewer): PageViewer => ({
    name: viewer.name,
    csrf: auth.csrfToken(viewer.identity),
    canSignOut: auth.method === 'slack' || auth.method === 'token',
  });
  const undeliveredFor = (viewer: Viewer) => visibleUndeliveredFinals(options.store, queries, viewer);

  const answers = createAnswers(options.redact);
  const { html, notFound, forbidden } = answers;
  const guard = createGuard({ auth, config: options.config, answers });

  async function view(run: RunSummary, viewer: Viewer): Promise<RunView> {
    const items = redactItems(await options.store.listItems(run.turn.id));
    return {
      run,
      items,
      origin: await options.originLink(run),
      undeliveredFinal: (await options.store.listUndeliveredFinals({ limit: 100 })).find(
        (final) => final.turnId === run.turn.id,
      ),
      pullRequestState: run.thread.pullRequestUrl
        ? await options.pullRequestState?.(run.thread.pullRequestUrl)
        : undefined,
      canControl: canControl(viewer, run),
      csrf: auth.csrfToken(viewer.identity),
      now: now(),
    };
  }

  /** The run named by the path, when the viewer may see it; otherwise the answer is sent. */
  async function runFor(
    rawId: string,
    response: ServerResponse,
    viewer: Viewer,
    api: boolean,
  ): Promise<RunSummary | undefined> {
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      notFound(response, api, 'That is not a run id.');
      return undefined;
    }
    const run = RUN_ID.test(id) ? await queries.getRun(id) : null;
    if (!run) {
      notFound(response, api, `No run ${id}.`);
      return undefined;
    }
    if (!canSee(viewer, run)) {
      forbidden(
        response,
        api,
        'run_forbidden',
        'This run belongs to someone else, and the configuration does not give you its channel or repository.',
      );
      return undefined;
    }
    return run;
  }

  async function listPage(request: GatewayRequest, response: ServerResponse, viewer: Viewer, url: URL) {
    const filters = filtersOf(url);
    const before = decodeCursor(url.searchParams.get('before')) ?? undefined;
    const visibility = visibilityOf(viewer);
    const [list, values, undelivered] = await Promise.all([
      queries.listRuns({ visibility, filters, limit: pageSize, before }),
      filterValues(visibility),
      before ? [] : undeliveredFor(viewer),
    ]);
    if (request.method === 'HEAD') return void response.writeHead(200, { 'content-type': HTML }).end();
    const view = {
      ...list,
      ...values,
      undelivered,
      filters,
      before: before ? encodeCursor(before) : undefined,
      now: now(),
    };
    html(response, 200, renderRunsPage(view, pageViewer(viewer)));
  }

  async function control(
    response: ServerResponse,
    run: RunSummary,
    viewer: Viewer,
    action: 'cancel' | 'retry',
    wantsJson: boolean,
  ) {
    if (!canControl(viewer, run))
      return forbidden(
        response,
        wantsJson,
        'control_forbidden',
        `Only the person who asked for this run, or an admin, may ${action} it.`,
      );
    const result =
      action === 'cancel' ? await controls.cancel(run, viewer) : await controls.retry(run, viewer);
    if (wantsJson)
      return result.type === 'done'
        ? sendJson(response, 200, result)
        : sendError(response, 409, 'control_conflict', result.message);
    if (result.type === 'conflict')
      return html(
        response,
        409,
        page({
          title: 'Not possible',
          body: `<p class="notice error">${escapeHtml(result.message)}</p><p><a href="/runs/${encodeURIComponent(run.turn.id)}">Back to the run</a></p>`,
          viewer: pageViewer(viewer),
        }),
      );
    response.writeHead(303, { location: `/runs/${encodeURIComponent(result.turnId)}` });
    response.end();
  }

  const pages: RouteHandler = async (request, response) => {
    const url = new URL(request.url ?? '/runs', 'http://dashboard.invalid');
    const guarded = guard(request, response, false);
    if (guarded.type === 'answered') return;
    const { viewer } = guarded;
    const segments = url.pathname
      .replace(/^\/runs\/?/, '')
      .replace(/\/+$/, '')
      .split('/')
      .filter(Boolean);
    const [first, action, extra] = segments;
    const post = request.method === 'POST';
    if (extra !== undefined) return notFound(response, false, `Nothing is served at ${url.pathname}.`);
    if (first === undefined && !post) return listPage(request, response, viewer, url);
    if (first === 'events' && !action && !post) {
      const filters = filtersOf(url);
      return streamList(request, response, {
        changeMarker: () => queries.changeMarker(),
        renderRows: async () =>
          renderRunRows(
            (await queries.listRuns({ visibility: visibilityOf(viewer), filters, limit: pageSize })).runs,
            now(),
          ),
        redact: options.redact,
        pollMs: Math.max(pollMs, 1000),
        log,
      });
    }
    if (first === 'usage' && !action && !post) {
      const days = [7, 30, 90].includes(Number(url.searchParams.get('days')))
        ? Number(url.searchParams.get('days'))
        : 30;
      const usage = await queries.usage({
        visibility: visibilityOf(viewer),
        since: new Date(now() - days * 86_400_000).toISOString(),
      });
      return html(response, 200, renderUsagePage(usage, days, pageViewer(viewer)));
    }
    if (first === undefined) return notFound(response, false, `Nothing is served at ${url.pathname}.`);
    const run = await runFor(first, response, viewer, false);
    if (!run) return;
    const wantsJson = (request.headers.accept ?? '').includes('application/json');
    switch (`${post ? 'POST' : 'GET'} ${action ?? ''}`) {
      case 'GET ':
        return html(response, 200, renderRunPage(await view(run, viewer), pageViewer(viewer)));
      case 'GET events': {
        const lastEventId = Number(request.headers['last-event-id'] ?? url.searchParams.get('after') ?? 0);
        return streamRun(request, response, {
          turnId: run.turn.id,
          after: Number.isFinite(lastEventId) && lastEventId >= 0 ? lastEventId : 0,
          loadRun: () => queries.getRun(run.turn.id),
          loadItems: async (after) =>
            redactItems(await options.store.listItems(run.turn.id, { afterSequence: after })),
          renderFacts: async (current) => renderFacts(await view(current, viewer)),
          redact: options.redact,
          pollMs,
          log,
        });
      }
      case 'GET diff': {
        const items = await options.store.listItems(run.turn.id);
        return html(
          response,
          200,
          renderDiffPage(run, await options.branchDiff(run.thread, items), pageViewer(viewer)),
        );
      }
      case 'GET items.jsonl': {
        // The session log format (docs/session-log.md), so the file feeds `baton replay`.
        const traceId = traceIdOf(run);
        const items = redactItems(await options.store.listItems(run.turn.id));
        const text = items.map((item) => `${formatItemJsonl(item, [], { traceId })}\n`).join('');
        response.writeHead(200, {
          'content-type': 'application/x-ndjson; charset=utf-8',
          'content-disposition': `attachment; filename="baton-run-${run.turn.id}.jsonl"`,
          'content-length': Buffer.byteLength(text),
        });
        return void response.end(text);
      }
      case 'POST cancel':
        return control(response, run, viewer, 'cancel', wantsJson);
      case 'POST retry':
        return control(response, run, viewer, 'retry', wantsJson);
      default:
        return notFound(response, false, `Nothing is served at ${url.pathname}.`);
    }
  };

  const api: RouteHandler = async (request, response) => {
    const url = new URL(request.url ?? '/api/runs', 'http://dashboard.invalid');
    const guarded = guard(request, response, true);
    if (guarded.type === 'answered') return;
    const { viewer } = guarded;
    const rest = url.pathname.replace(/^\/api\/runs\/?/, '').replace(/\/+$/, '');
    if (request.method === 'POST')
      return sendError(
        response,
        405,
        'method_not_allowed',
        'The API is read-only; the controls are forms under /runs.',
      );
    if (!rest) {
      const list = await queries.listRuns({
        visibility: visibilityOf(viewer),
        filters: filtersOf(url),
        limit: 100,
        before: decodeCursor(url.searchParams.get('before')) ?? undefined,
      });
      return sendText(response, 200, 'application/json; charset=utf-8', JSON.stringify(mask(list)));
    }
    if (rest.includes('/')) return notFound(response, true, `Nothing is served at ${url.pathname}.`);
    const run = await runFor(rest, response, viewer, true);
    if (!run) return;
    const items = redactItems(await options.store.listItems(run.turn.id));
    sendText(response, 200, 'application/json; charset=utf-8', JSON.stringify(mask({ ...run, items })));
  };

  return { pages, api, script: serveDashboardScript };
}
