import {
  InMemorySpanExporter,
  NodeTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBatonMetrics } from '../../src/observability/metrics.ts';
import { traceIdOf } from '../../src/observability/tracing.ts';
import { CHANNEL, createServerHarness, REPO, type ServerHarness, waitFor } from './server-harness.ts';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const finish = {
  name: 'finish',
  arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'Fixed add().' },
};

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The chain of ancestors of a span, nearest first, by name. */
function ancestry(span: ReadableSpan, spans: readonly ReadableSpan[]): string[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanContext().spanId, candidate]));
  const names: string[] = [];
  for (let parent = byId.get(parentOf(span) ?? ''); parent; parent = byId.get(parentOf(parent) ?? '')) {
    names.push(parent.name);
  }
  return names;
}

describe('one trace per request, from the Slack event to the reply', () => {
  let harness: ServerHarness;
  // The context manager the SDK registers is what carries the active span across awaits.
  beforeAll(() => provider.register());
  afterEach(async () => harness?.close());
  afterAll(() => provider.shutdown());

  it('links gateway → intake → (queue) → turn → model, tools, middleware and Slack calls; the model gets the traceparent', async () => {
    const tracer = provider.getTracer('baton');
    harness = await createServerHarness({
      telemetry: { tracer, metrics: createBatonMetrics(), shutdown: async () => {} },
    });
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [finish] },
    );
    const { ts } = await harness.mention(`please fix the add test repo:${REPO}`);
    await waitFor('the final reaction', () =>
      harness.slack.reactions(CHANNEL, ts).includes('white_check_mark'),
    );
    // The final reaction is the reporter's last call; its span ends right after the response.
    await waitFor('the turn span', () => exporter.getFinishedSpans().some((span) => span.name === 'turn'));

    const spans = exporter.getFinishedSpans();
    const turn = spans.find((span) => span.name === 'turn');
    expect(turn).toBeDefined();
    const traceId = turn?.spanContext().traceId ?? '';
    const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
    const named = (prefix: string) => inTrace.filter((span) => span.name.startsWith(prefix));

    // Across the queue: the turn's parent is the enqueue span, whose parent is the webhook receipt.
    expect(ancestry(turn as ReadableSpan, inTrace)).toEqual(['intake submit', 'POST /slack/events']);
    const receipt = named('POST /slack/events')[0];
    expect(parentOf(receipt as ReadableSpan)).toBeUndefined();
    expect(receipt?.attributes['http.response.status_code']).toBe(200);

    const modelCalls = named('chat gpt-test');
    expect(modelCalls).toHaveLength(3);
    for (const call of modelCalls) expect(ancestry(call, inTrace)[0]).toBe('turn');
    expect(modelCalls[0]?.attributes['gen_ai.request.model']).toBe('gpt-test');
    expect(Number(modelCalls[0]?.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
    expect(modelCalls[0]?.attributes['baton.cost_usd']).toBeTypeOf('number');

    const edit = named('execute_tool edit_file')[0];
    expect(edit?.attributes['baton.tool.effect']).toBe('write');
    expect(ancestry(edit as ReadableSpan, inTrace)).toContain('turn');
    const steps = named('middleware ').map((span) => span.name);
    expect(steps).toEqual(
      expect.arrayContaining(['middleware secret-scan', 'middleware commit', 'middleware push']),
    );
    expect(named('sandbox exec').length).toBeGreaterThan(0);
    expect(named('sandbox create')).toHaveLength(1);

    // The replies: the 👀 and status message under the receipt, the final post under the turn.
    const posts = named('slack chat.postMessage');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.some((span) => ancestry(span, inTrace).includes('turn'))).toBe(true);
    expect(named('slack reactions.add').length).toBeGreaterThan(0);

    // The model server saw the turn's trace on every request.
    const traceparents = harness.model.modelRequests().map((request) => request.headers.traceparent);
    expect(traceparents).toHaveLength(3);
    for (const traceparent of traceparents) expect(traceIdOf(String(traceparent))).toBe(traceId);

    // Log lines written inside the turn carry its ids.
    const logged = harness
      .logLines()
      .map((line) => JSON.parse(line) as { trace_id?: string; turnId?: string })
      .filter((line) => line.trace_id === traceId);
    expect(logged.length).toBeGreaterThan(0);

    // The dashboard shows the trace id: it is stored with the request.
    const run = await harness.run(turn?.attributes['baton.turn.id'] as string);
    expect(JSON.stringify(run)).toContain(traceId);
  });
});
