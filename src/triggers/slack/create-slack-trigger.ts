import { BatonError, describeError } from '../../observability/errors.ts';
import { registerActionListeners } from './action-listeners.ts';
import { createSlackAuthoriser } from './authorise.ts';
import { createBackgroundTasks } from './background.ts';
import { createBoltLogger } from './bolt-logger.ts';
import { createBoltApp } from './create-app.ts';
import { withFreshnessWindow } from './freshness.ts';
import { registerMessageListeners } from './message-listeners.ts';
import { createOnceMemory } from './once-memory.ts';
import { registerReactionListener } from './reaction-listener.ts';
import { registerSlashCommand } from './slash-command.ts';
import type { TriggerContext } from './trigger-context.ts';
import type { SlackTrigger, SlackTriggerOptions } from './types.ts';

const DEFAULT_MAX_TEXT_LENGTH = 20_000;

/** Slack as a front door: Bolt on the right receiver, with every listener wired to the intake. */
export function createSlackTrigger(options: SlackTriggerOptions): SlackTrigger {
  const { log } = options;
  const bolt = createBoltApp({
    botToken: options.botToken,
    signingSecret: options.signingSecret,
    appToken: options.appToken,
    apiUrl: options.apiUrl,
    logger: createBoltLogger(log),
  });
  const { app } = bolt;
  const background = createBackgroundTasks(log);
  const context: TriggerContext = {
    config: options.config,
    intake: options.intake,
    store: options.store,
    log,
    metrics: options.metrics,
    afterSubmit: options.afterSubmit,
    authoriser: createSlackAuthoriser({
      config: options.config.slack,
      log,
      ttlMs: options.userGroupTtlMs,
      fetchGroupMembers: async (usergroup) =>
        (await app.client.usergroups.users.list({ usergroup })).users ?? [],
    }),
    refused: createOnceMemory(),
    delivered: createOnceMemory(),
    background,
    clock: options.clock ?? (() => new Date()),
    maxTextLength: options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH,
  };

  registerMessageListeners(app, context);
  registerSlashCommand(app, context);
  registerActionListeners(app, context);
  registerReactionListener(app, context);
  // A listener that throws (the queue is down) fails the delivery: HTTP answers 500 and Slack retries.
  app.error(async (error) => {
    log.error({ err: error, code: error.code }, 'slack-listener-failed');
    throw error;
  });

  return {
    mode: bolt.mode,
    ...(bolt.mode === 'http' ? { requestListener: withFreshnessWindow(bolt.receiver.requestListener) } : {}),
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw new BatonError({
          code: 'slack.auth_failed',
          message: `Slack refused the bot token: ${describeError(error)}`,
          hint: 'check SLACK_BOT_TOKEN (it starts with xoxb-) and that the app is installed in the workspace',
          cause: error,
        });
      }
      await context.authoriser.warm();
      if (bolt.mode === 'socket') await app.start();
      log.info({ mode: bolt.mode }, 'slack-trigger-started');
    },
    async stop() {
      if (bolt.mode === 'socket') await app.stop();
      await background.idle();
    },
    idle: () => background.idle(),
  };
}
