import { App, type ReceiverEvent } from '@slack/bolt';

/**
 * Bolt acks an Events API envelope before its listeners run. Over HTTP, `processBeforeResponse`
 * holds the response until they finish; Socket Mode has no such switch, so an envelope would be
 * acked even when the durable submit then failed, and Slack would never send it again. This app
 * holds every ack of a Socket Mode envelope until the listeners (the fast part: dedupe claim,
 * authorisation, submit) succeeded. When one throws, nothing is acked and Slack redelivers.
 */
export class AckAfterListenersApp extends App {
  override async processEvent(event: ReceiverEvent): Promise<void> {
    let held: { response: unknown } | undefined;
    await super.processEvent({
      ...event,
      ack: async (response?: unknown) => {
        held ??= { response };
      },
    });
    if (held) await event.ack(held.response);
  }
}
