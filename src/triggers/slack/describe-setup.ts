import type { Secrets } from '../../config/schema.ts';

type SlackSecrets = Pick<Secrets, 'slackBotToken' | 'slackSigningSecret' | 'slackAppToken'>;

export type SlackMode = 'http' | 'socket';

/** HTTP when a signing secret is set (it wins over an app token), Socket Mode with only an app token, else off. */
export function slackModeOf(secrets: SlackSecrets): SlackMode | null {
  if (!secrets.slackBotToken) return null;
  if (secrets.slackSigningSecret) return 'http';
  if (secrets.slackAppToken) return 'socket';
  return null;
}

/** The one line `baton start` prints about Slack. */
export function describeSlackSetup(secrets: SlackSecrets): string {
  switch (slackModeOf(secrets)) {
    case 'http':
      return 'Slack is on: events, /baton and buttons arrive at /slack/events (HTTP, signed requests).';
    case 'socket':
      return 'Slack is on: Socket Mode (no public URL needed).';
    case null:
      return 'Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode).';
  }
}
