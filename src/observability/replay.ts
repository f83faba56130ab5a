import { z } from 'zod';
import type { ModelClient } from '../model/types.ts';
import type { ItemPayload } from '../runs/items.ts';
import { BatonError } from './errors.ts';
import { SESSION_LOG_SCHEMA_VERSION } from './session-log.ts';

/** A recorded item as a replay needs it: its order and what happened. */
export interface RecordedItem {
  sequence: number;
  payload: ItemPayload;
}

const lineSchema = z.object({
  schemaVersion: z.number().int(),
  sequence: z.number().int(),
  turnId: z.string(),
  payload: z.object({ type: z.string() }).loose(),
});

/** A session log (docs/session-log.md) read back; every line is checked, and the version must be known. */
export function parseSessionLog(text: string, source: string): { turnId: string; items: RecordedItem[] } {
  const items: RecordedItem[] = [];
  let turnId: string | undefined;
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(line));
    } catch (error) {
      throw new BatonError({
        code: 'replay_bad_log',
        message: `${source}:${index + 1} is not a session log line`,
        hint: 'pass a file written by `baton logs <turn-id>` or `baton run --json`',
        cause: error,
      });
    }
    if (parsed.schemaVersion > SESSION_LOG_SCHEMA_VERSION) {
      throw new BatonError({
        code: 'replay_bad_log',
        message: `${source} is session log version ${parsed.schemaVersion}; this Baton reads up to ${SESSION_LOG_SCHEMA_VERSION}`,
        hint: 'replay it with the Baton release that wrote it, or a newer one',
      });
    }
    turnId ??= parsed.turnId;
    // The payload was written by Baton from an ItemPayload; its shape is checked where it is used.
    items.push({ sequence: parsed.sequence, payload: parsed.payload as unknown as ItemPayload });
  });
  if (!turnId) throw new BatonError({ code: 'replay_bad_log', message: `${source} holds no items` });
  return { turnId, items: items.sort((left, right) => left.sequence - right.sequence) };
}

/**
 * A model that answers with the recorded model messages, in the order they were recorded (a
 * subagent's turns interleave with its parent's exactly as they did). Past the last one it fails,
 * which ends the replay the way a model outage would: clearly, with the work kept.
 */
export function recordedModel(
  items: readonly RecordedItem[],
  model: string,
): ModelClient & { used(): number } {
  const answers = items.flatMap((item) => (item.payload.type === 'model_message' ? [item.payload] : []));
  let next = 0;
  return {
    provider: 'chat-completions',
    model,
    used: () => next,
    async complete(request) {
      const answer = answers[next];
      if (!answer) {
        throw new BatonError({
          code: 'replay_exhausted',
          message: `the recording has ${answers.length} model answers and the replay asked for one more`,
          hint: 'the replayed run took another path than the recorded one; see the divergence above',
        });
      }
      next += 1;
      if (answer.content) request.onTextDelta?.(answer.content);
      return {
        message: { content: answer.content, toolCalls: answer.toolCalls },
        usage: answer.usage,
        costUsd: answer.costUsd,
        finishReason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop',
      };
    },
  };
}

export interface Divergence {
  /** 1-based position among the tool results. */
  index: number;
  callId: string;
  tool: string;
  /** What differs: the result's outcome, its text, or a result the replay never produced. */
  kind: 'ok' | 'output' | 'missing' | 'extra';
  recorded?: string;
  replayed?: string;
}

type ToolResultPayload = Extract<ItemPayload, { type: 'tool_result' }>;
const toolResults = (payloads: readonly ItemPayload[]): ToolResultPayload[] =>
  payloads.filter((payload): payload is ToolResultPayload => payload.type === 'tool_result');

/**
 * Durations are the one part of a tool's text that is expected to change between two runs: `12 ms`,
 * `0.7s`, and test reporters' `duration_ms 175.06` (node --test) or `Time: 1.2 s` (jest).
 */
const normalise = (text: string) =>
  text
    .replace(/\bduration_ms:? \d+(\.\d+)?/g, 'duration_ms <duration>')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<duration>');

/** The first tool result of the replay that differs from the recording, or null when all match. */
export function findDivergence(
  recorded: readonly ItemPayload[],
  replayed: readonly ItemPayload[],
): Divergence | null {
  const expected = toolResults(recorded);
  const actual = toolResults(replayed);
  for (let index = 0; index < Math.max(expected.length, actual.length); index += 1) {
    const want = expected[index];
    const got = actual[index];
    const position = {
      index: index + 1,
      callId: (want ?? got)?.callId ?? '',
      tool: (want ?? got)?.name ?? '',
    };
    if (!got) return { ...position, kind: 'missing', recorded: want?.output };
    if (!want) return { ...position, kind: 'extra', replayed: got.output };
    if (want.ok !== got.ok) return { ...position, kind: 'ok', recorded: want.output, replayed: got.output };
    if (normalise(want.output) !== normalise(got.output))
      return { ...position, kind: 'output', recorded: want.output, replayed: got.output };
  }
  return null;
}

/** One paragraph for the terminal: where the replay left the recording, and how. */
export function describeDivergence(divergence: Divergence): string {
  const where = `tool result ${divergence.index} (${divergence.tool}, call ${divergence.callId})`;
  const clip = (text = '') => (text.length > 400 ? `${text.slice(0, 400)}…` : text);
  switch (divergence.kind) {
    case 'missing':
      return `diverged at ${where}: the replay produced no result there.\n  recorded: ${clip(divergence.recorded)}`;
    case 'extra':
      return `diverged at ${where}: the replay produced a result the recording does not have.\n  replayed: ${clip(divergence.replayed)}`;
    case 'ok':
    case 'output':
      return `diverged at ${where}: the ${divergence.kind === 'ok' ? 'outcome' : 'output'} differs.\n  recorded: ${clip(divergence.recorded)}\n  replayed: ${clip(divergence.replayed)}`;
  }
}
