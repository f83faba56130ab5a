import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH, SLASH_COMMAND } from '../../../src/triggers/slack/index.ts';

const root = join(import.meta.dirname, '../../..');
/** Everything that talks to Slack: the trigger (before and after the ack) and the reply integration. */
const SLACK_CODE = ['src/triggers/slack', 'src/integrations/slack'];

/** The bot scope each Web API method needs (https://docs.slack.dev/reference/methods). */
const METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'reactions.get': ['reactions:read'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  'files.uploadV2': ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'assistant.threads.setStatus': ['assistant:write'],
};

/** The subscription and scope each event Baton listens to needs. */
const EVENT_SUBSCRIPTIONS: Readonly<
  Record<string, { events: readonly string[]; scopes: readonly string[] }>
> = {
  app_mention: { events: ['app_mention'], scopes: ['app_mentions:read'] },
  message: {
    events: ['message.channels', 'message.groups', 'message.im'],
    scopes: ['channels:history', 'groups:history', 'im:history'],
  },
  reaction_added: { events: ['reaction_added'], scopes: ['reactions:read'] },
};

async function sourcesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(join(root, directory), { withFileTypes: true, recursive: true }).catch(
    () => [],
  );
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
  return Promise.all(files.map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')));
}

const NAMESPACES = 'chat|reactions|conversations|users|usergroups|files|assistant|auth|views|pins|bookmarks';

async function calledMethods(): Promise<Set<string>> {
  const sources = (await Promise.all(SLACK_CODE.map(sourcesUnder))).flat();
  const methods = new Set<string>();
  const call = new RegExp(`\\.((?:${NAMESPACES})(?:\\.[A-Za-z]+)+)\\(`, 'g');
  const apiCall = /apiCall\(\s*'([a-z]+(?:\.[A-Za-z]+)+)'/g;
  for (const source of sources) {
    // WebClient's helper for the three-step upload is a top-level method.
    if (/\.filesUploadV2\(/.test(source)) methods.add('files.uploadV2');
    for (const match of source.matchAll(call)) if (match[1]) methods.add(match[1]);
    for (const match of source.matchAll(apiCall)) if (match[1]) methods.add(match[1]);
  }
  return methods;
}

async function listenedEvents(): Promise<Set<string>> {
  const sources = await sourcesUnder('src/triggers/slack');
  return new Set(
    sources.flatMap((source) =>
      [...source.matchAll(/app\.event\(\s*'([a-z_]+)'/g)].map((match) => match[1] ?? ''),
    ),
  );
}

interface Manifest {
  features: { slash_commands: { command: string; url: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
  };
}

const manifest = async (): Promise<Manifest> =>
  parse(await readFile(join(root, 'config/slack-app-manifest.yaml'), 'utf8')) as Manifest;

describe('config/slack-app-manifest.yaml', () => {
  it('grants a scope for every Web API method the code calls, and no scope nothing needs', async () => {
    const { oauth_config } = await manifest();
    const granted = new Set(oauth_config.scopes.bot);
    const methods = await calledMethods();
    expect(methods.size).toBeGreaterThan(3);

    const unmapped = [...methods].filter((method) => METHOD_SCOPES[method] === undefined);
    expect(unmapped, 'methods without a known scope: add them to METHOD_SCOPES').toEqual([]);
    const missing = [...methods].flatMap((method) =>
      (METHOD_SCOPES[method] ?? []).filter((scope) => !granted.has(scope)),
    );
    expect(missing).toEqual([]);

    const needed = new Set([
      'commands',
      ...[...methods].flatMap((method) => METHOD_SCOPES[method] ?? []),
      ...[...(await listenedEvents())].flatMap((event) => EVENT_SUBSCRIPTIONS[event]?.scopes ?? []),
    ]);
    expect([...granted].filter((scope) => !needed.has(scope))).toEqual([]);
  });

  it('subscribes to every event the trigger listens to', async () => {
    const { settings, oauth_config } = await manifest();
    const events = await listenedEvents();
    expect([...events].sort()).toEqual(['app_mention', 'message', 'reaction_added']);
    for (const event of events) {
      const needs = EVENT_SUBSCRIPTIONS[event];
      expect(needs, `no subscription known for ${event}`).toBeDefined();
      for (const subscription of needs?.events ?? [])
        expect(settings.event_subscriptions.bot_events).toContain(subscription);
      for (const scope of needs?.scopes ?? []) expect(oauth_config.scopes.bot).toContain(scope);
    }
  });

  it('declares the slash command and interactivity on the gateway path', async () => {
    const { features, settings, oauth_config } = await manifest();
    const url = `https://YOUR-HOST${SLACK_EVENTS_PATH}`;
    expect(features.slash_commands).toEqual([expect.objectContaining({ command: SLASH_COMMAND, url })]);
    expect(oauth_config.scopes.bot).toContain('commands');
    expect(settings.interactivity).toEqual({ is_enabled: true, request_url: url });
    expect(settings.event_subscriptions.request_url).toBe(url);
  });
});
