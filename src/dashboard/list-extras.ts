import type { RunQueries, RunVisibility } from '../store/run-queries.ts';
import type { Store, UndeliveredFinal } from '../store/types.ts';
import { canSee, type Viewer } from './access.ts';

const FILTER_CHOICES_MS = 30_000;

/** The filters' choices change rarely and cost a scan: they are kept for a while per visibility. */
export function createFilterChoices(options: {
  queries: Pick<RunQueries, 'filterValues'>;
  now: () => number;
}) {
  const cache = new Map<string, { at: number; values: Awaited<ReturnType<RunQueries['filterValues']>> }>();
  return async (visibility: RunVisibility) => {
    const key = JSON.stringify(visibility);
    const cached = cache.get(key);
    if (cached && options.now() - cached.at < FILTER_CHOICES_MS) return cached.values;
    const values = await options.queries.filterValues(visibility);
    if (cache.size > 1000) cache.clear();
    cache.set(key, { at: options.now(), values });
    return values;
  };
}

/** Final replies Baton gave up posting, among the runs this viewer may see. */
export async function visibleUndeliveredFinals(
  store: Pick<Store, 'listUndeliveredFinals'>,
  queries: Pick<RunQueries, 'getRun'>,
  viewer: Viewer,
): Promise<UndeliveredFinal[]> {
  const finals = await store.listUndeliveredFinals({ limit: 100 });
  if (viewer.admin) return finals;
  const visible = await Promise.all(
    finals.map(async (final) => {
      const run = await queries.getRun(final.turnId);
      return run && canSee(viewer, run) ? final : undefined;
    }),
  );
  return visible.filter((final): final is UndeliveredFinal => final !== undefined);
}
