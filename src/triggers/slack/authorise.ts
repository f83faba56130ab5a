import type { SlackConfig } from '../../config/schema.ts';
import type { Logger } from '../../observability/logger.ts';

export type Authorisation =
  | { type: 'allowed' }
  | { type: 'denied'; dimension: 'team' | 'channel' | 'user' }
  /** Group membership could not be checked (Slack unreachable and nothing cached): refuse, but do not remember it. */
  | { type: 'unknown' };

export interface Requester {
  teamId: string;
  channelId: string;
  userId: string;
}

export interface SlackAuthoriser {
  check(requester: Requester): Promise<Authorisation>;
  /** Fetches every allowed group's members; called at start so the first request finds a warm cache. */
  warm(): Promise<void>;
}

interface CachedGroup {
  members: ReadonlySet<string>;
  fetchedAt: number;
}

/**
 * Allowlists per dimension; an empty list leaves that dimension open. A user passes when listed, or
 * when a member of an allowed group. Group members come from a cache (usergroups.users.list): a stale
 * entry is used while a refresh runs in the background, so the ack path never waits on Slack except
 * for the very first look-up of a group, which is bounded by `coldFetchTimeoutMs`.
 * With `allowedChannels` set, DMs are refused unless their channel is listed too.
 */
export function createSlackAuthoriser(options: {
  config: SlackConfig;
  fetchGroupMembers: (groupId: string) => Promise<readonly string[]>;
  log: Logger;
  ttlMs?: number;
  coldFetchTimeoutMs?: number;
  now?: () => number;
}): SlackAuthoriser {
  const { config, log } = options;
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const coldFetchTimeoutMs = options.coldFetchTimeoutMs ?? 1500;
  const now = options.now ?? Date.now;
  // The schema lets `allowedUsers` hold group ids (S…) as well.
  const users = new Set(config.allowedUsers.filter((id) => !id.startsWith('S')));
  const groups = [
    ...new Set([...config.allowedUserGroups, ...config.allowedUsers.filter((id) => id.startsWith('S'))]),
  ];
  const cache = new Map<string, CachedGroup>();
  const inflight = new Map<string, Promise<CachedGroup>>();

  function refresh(groupId: string): Promise<CachedGroup> {
    const running = inflight.get(groupId);
    if (running) return running;
    const fetching = options
      .fetchGroupMembers(groupId)
      .then((members) => {
        const entry = { members: new Set(members), fetchedAt: now() };
        cache.set(groupId, entry);
        return entry;
      })
      .finally(() => inflight.delete(groupId));
    inflight.set(groupId, fetching);
    return fetching;
  }

  async function membersOf(groupId: string): Promise<ReadonlySet<string> | null> {
    const cached = cache.get(groupId);
    if (cached) {
      if (now() - cached.fetchedAt > ttlMs) {
        refresh(groupId).catch((error: unknown) =>
          log.warn({ err: error, groupId }, 'slack-user-group-refresh-failed'),
        );
      }
      return cached.members;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), coldFetchTimeoutMs);
    });
    try {
      const entry = await Promise.race([refresh(groupId), timeout]);
      return entry?.members ?? null;
    } catch (error) {
      log.warn({ err: error, groupId }, 'slack-user-group-fetch-failed');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async function userAllowed(userId: string): Promise<boolean | null> {
    if (users.size === 0 && groups.length === 0) return true;
    if (users.has(userId)) return true;
    let unknown = false;
    for (const groupId of groups) {
      const members = await membersOf(groupId);
      if (members === null) unknown = true;
      else if (members.has(userId)) return true;
    }
    return unknown ? null : false;
  }

  return {
    async check({ teamId, channelId, userId }) {
      if (config.allowedTeams.length > 0 && !config.allowedTeams.includes(teamId)) {
        return { type: 'denied', dimension: 'team' };
      }
      if (config.allowedChannels.length > 0 && !config.allowedChannels.includes(channelId)) {
        return { type: 'denied', dimension: 'channel' };
      }
      const allowed = await userAllowed(userId);
      if (allowed === null) return { type: 'unknown' };
      return allowed ? { type: 'allowed' } : { type: 'denied', dimension: 'user' };
    },
    async warm() {
      await Promise.all(
        groups.map((groupId) =>
          refresh(groupId).catch((error: unknown) =>
            log.warn({ err: error, groupId }, 'slack-user-group-fetch-failed'),
          ),
        ),
      );
    },
  };
}
