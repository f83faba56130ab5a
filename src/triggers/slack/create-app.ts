import { App, type Logger as BoltLogger, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { BatonError } from '../../observability/errors.ts';
import { AckAfterListenersApp } from './ack-after-listeners.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

// The Web API client retries for ~30 minutes by default; on Baton's paths a reply is useless that late.
const WEB_CLIENT_RETRIES = { retries: 2, maxRetryTime: 10_000 };
const WEB_CLIENT_TIMEOUT_MS = 10_000;

export type BoltApp =
  | { mode: 'http'; app: App; receiver: HTTPReceiver }
  | { mode: 'socket'; app: App; receiver: SocketModeReceiver };

/**
 * A Bolt app on the receiver the credentials call for. HTTP: signatures and the 5-minute window are
 * checked by the receiver, and `processBeforeResponse` holds the ack until our listener's fast part
 * (dedupe claim, authorisation, enqueue) is done. Socket Mode: Bolt would ack events on arrival, so
 * the app holds the ack the same way (`AckAfterListenersApp`); its socket client takes the API URL
 * from `installerOptions.clientOptions`, the WebClient from `clientOptions`.
 */
export function createBoltApp(options: {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  logger: BoltLogger;
}): BoltApp {
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: WEB_CLIENT_RETRIES,
    timeout: WEB_CLIENT_TIMEOUT_MS,
  };
  const common = {
    token: options.botToken,
    logger: options.logger,
    clientOptions,
    deferInitialization: true,
  };
  if (options.signingSecret) {
    const receiver = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: true,
      logger: options.logger,
    });
    return { mode: 'http', app: new App({ ...common, receiver }), receiver };
  }
  if (options.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: options.logger,
      installerOptions: { clientOptions },
    });
    return { mode: 'socket', app: new AckAfterListenersApp({ ...common, receiver }), receiver };
  }
  throw new BatonError({
    code: 'slack.not_configured',
    message: 'Slack needs a signing secret (HTTP) or an app-level token (Socket Mode) besides the bot token.',
    hint: 'set SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode',
  });
}
