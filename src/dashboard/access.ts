import type { DashboardConfig } from '../config/schema.ts';
import type { RunSummary, RunVisibility } from '../store/run-queries.ts';
import type { Identity } from './auth/dashboard-auth.ts';

/** A signed-in person and what the configuration lets them see. */
export interface Viewer {
  id: string;
  name: string;
  admin: boolean;
  channels: string[];
  repos: string[];
  identity: Identity;
}

/** Admins are listed in `dashboard.admins`; on loopback without sign-in, and for the token holder, the one viewer is the operator. */
export function viewerFor(identity: Identity, config: DashboardConfig, method: string): Viewer {
  const operator = method === 'loopback' || method === 'token';
  const grants = config.access.filter((grant) => grant.users.includes(identity.id));
  return {
    id: identity.id,
    name: identity.name,
    admin: operator || config.admins.includes(identity.id),
    channels: [...new Set(grants.flatMap((grant) => grant.channels))],
    repos: [...new Set(grants.flatMap((grant) => grant.repos))],
    identity,
  };
}

export function visibilityOf(viewer: Viewer): RunVisibility {
  return viewer.admin
    ? { type: 'all' }
    : { type: 'scoped', requesterId: viewer.id, channels: viewer.channels, repos: viewer.repos };
}

export function canSee(viewer: Viewer, run: RunSummary): boolean {
  if (viewer.admin || run.turn.requesterId === viewer.id) return true;
  const channel = run.thread.origin.channelId;
  return (
    (typeof channel === 'string' && viewer.channels.includes(channel)) ||
    viewer.repos.includes(run.thread.repo)
  );
}

/** Cancel and retry: the person who asked, and admins. */
export function canControl(viewer: Viewer, run: RunSummary): boolean {
  return viewer.admin || run.turn.requesterId === viewer.id;
}
