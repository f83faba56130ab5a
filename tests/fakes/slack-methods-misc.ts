import type {
  AppsConnectionsOpenResponse,
  AssistantThreadsSetStatusResponse,
  AuthTestResponse,
  FilesGetUploadURLExternalResponse,
  UsergroupsUsersListResponse,
} from '@slack/web-api';
import type { MethodHandler, SlackAnswer } from './slack-methods-chat.ts';
import { type FakeSlackWorld, findMessage, type SlackArgs } from './slack-state.ts';

const fail = (error: string): SlackAnswer => ({ ok: false, error });
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function usersInfo(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const id = string(args.user);
  const user = id ? world.users.get(id) : undefined;
  if (!user) return fail('user_not_found');
  return {
    ok: true,
    user: {
      id: user.id,
      team_id: world.teamId,
      name: user.name,
      real_name: user.realName ?? user.name,
      is_bot: user.isBot ?? false,
      deleted: false,
      profile: { display_name: user.name, real_name: user.realName ?? user.name },
    },
  };
}

function completeUpload(world: FakeSlackWorld, args: SlackArgs): SlackAnswer {
  const requested = Array.isArray(args.files) ? args.files : [];
  if (requested.length === 0) return fail('invalid_arguments');
  const files = [];
  for (const entry of requested) {
    const id = string((entry as { id?: unknown }).id);
    const file = id ? world.files.get(id) : undefined;
    // Slack refuses to complete a file whose bytes never arrived.
    if (!file || file.content === undefined) return fail('file_not_found');
    file.title = string((entry as { title?: unknown }).title) ?? file.filename;
    files.push(file);
  }
  const channel = string(args.channel_id);
  const threadTs = string(args.thread_ts);
  if (channel) {
    if (threadTs && !findMessage(world, channel, threadTs)) return fail('invalid_thread_ts');
    for (const file of files) {
      file.channel = channel;
      if (threadTs) file.thread_ts = threadTs;
      const comment = string(args.initial_comment);
      if (comment) file.initialComment = comment;
    }
    world.messages.push({
      channel,
      ts: world.nextTs(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      user: world.botUserId,
      bot_id: world.botId,
      text: string(args.initial_comment) ?? '',
      blocks: undefined,
      files: files.map((file) => ({ id: file.id, title: file.title ?? file.filename, name: file.filename })),
      edits: [],
    });
  }
  return {
    ok: true,
    files: files.map((file) => ({ id: file.id, title: file.title, name: file.filename })),
  };
}

export function miscMethods(world: FakeSlackWorld): Record<string, MethodHandler> {
  return {
    'auth.test': () =>
      ({
        ok: true,
        url: 'https://fake.slack.com/',
        team: 'Fake Team',
        user: 'baton',
        team_id: world.teamId,
        user_id: world.botUserId,
        bot_id: world.botId,
        is_enterprise_install: false,
      }) satisfies AuthTestResponse,
    'users.info': (args) => usersInfo(world, args),
    'usergroups.users.list': (args) => {
      const group = string(args.usergroup);
      const users = group ? world.userGroups.get(group) : undefined;
      if (!users) return fail('no_such_subteam');
      return { ok: true, users } satisfies UsergroupsUsersListResponse;
    },
    'assistant.threads.setStatus': (args) => {
      const channel = string(args.channel_id);
      const threadTs = string(args.thread_ts);
      if (!channel || !threadTs) return fail('invalid_arguments');
      world.statuses.push({ channel_id: channel, thread_ts: threadTs, status: string(args.status) ?? '' });
      return { ok: true } satisfies AssistantThreadsSetStatusResponse;
    },
    'apps.connections.open': () => {
      const ticket = world.nextId('ticket-');
      world.tickets.add(ticket);
      const url = `${world.baseUrl.replace(/^http/, 'ws')}/link?ticket=${ticket}`;
      return { ok: true, url } satisfies AppsConnectionsOpenResponse;
    },
    'files.getUploadURLExternal': (args) => {
      const filename = string(args.filename);
      const length = Number(args.length);
      if (!filename || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
      const id = world.nextId('F');
      world.files.set(id, { id, filename, length });
      return {
        ok: true,
        upload_url: `${world.baseUrl}/upload/v1/${id}`,
        file_id: id,
      } satisfies FilesGetUploadURLExternalResponse;
    },
    'files.completeUploadExternal': (args) => completeUpload(world, args),
  };
}
