import type { EnvelopedEvent } from '@slack/bolt';
import { appMentionEvent, messageEvent } from '../tests/fakes/slack-events.ts';
import { envelopeEvent } from '../tests/fakes/slack-signing.ts';

export const BENCH_TEAM = 'T0BENCH';
export const BENCH_CHANNEL = 'C0BENCH';

/**
 * The traffic of a busy channel Baton is in: of every ten events, nine are replies in threads Baton
 * does not own (channel `message` events without a mention) and one is a mention that starts a
 * request. `run` keeps the ids and timestamps of separate runs (warm-up, bare, Baton) apart.
 */
export function eventMix(options: { count: number; run: number; botUserId: string }): EnvelopedEvent[] {
  const base = 1_700_000_000 + options.run * 1_000_000;
  return Array.from({ length: options.count }, (_, index) => {
    const ts = `${base + index}.000100`;
    const event =
      index % 10 === 0
        ? appMentionEvent({
            user: 'UREQUESTER',
            text: `<@${options.botUserId}> task ${index}`,
            channel: BENCH_CHANNEL,
            ts,
          })
        : messageEvent({
            user: `UCHATTER${index % 17}`,
            text: `chatter ${index} about lunch`,
            channel: BENCH_CHANNEL,
            ts,
            threadTs: `${base - 1 - (index % 50)}.000100`,
          });
    return envelopeEvent(event, {
      teamId: BENCH_TEAM,
      botUserId: options.botUserId,
      eventId: `Ev${options.run}x${index}`,
    });
  });
}
