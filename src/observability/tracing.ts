import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export type { Tracer } from '@opentelemetry/api';
export { SpanKind } from '@opentelemetry/api';

/** The name Baton's spans are recorded under. */
export const TRACER_NAME = 'baton';

/*
 * The W3C propagator is used directly rather than through the global propagation API, so a
 * traceparent crosses the queue even in a process whose SDK registered another propagator.
 */
const propagator = new W3CTraceContextPropagator();

/**
 * The process's tracer: it records nothing (and costs next to nothing) until an SDK is started,
 * which `src/app` does only when an OTLP endpoint is configured.
 */
export function defaultTracer(): Tracer {
  return trace.getTracerProvider().getTracer(TRACER_NAME);
}

/** The `traceparent` header value for a context's active span, or undefined when nothing is recorded. */
export function traceparentOf(active: Context = context.active()): string | undefined {
  const span = trace.getSpan(active);
  if (!span?.spanContext() || !trace.isSpanContextValid(span.spanContext())) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(active, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The context a `traceparent` names (from an incoming header or a stored request). */
export function contextOfTraceparent(traceparent: string | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!traceparent) return base;
  return propagator.extract(base, { traceparent }, defaultTextMapGetter);
}

/** The 32-hex trace id of a traceparent (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '');
  return match?.[1];
}

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  /** The parent; default: the active context. */
  parent?: Context;
}

/**
 * Runs `work` inside a new active span: nested spans and log lines see it. A throw marks the span
 * as an error (with the error's stable code when it has one) and is re-thrown.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, { attributes: options.attributes, kind: options.kind }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Records a failure on a span: status error, `error.type` the stable code (or the class name). The
 * error's text stays out of the span: it may hold a secret, and spans leave for a collector without
 * passing the masker. The log line written under the same trace_id carries the text, masked.
 */
export function markFailed(span: Span, error: unknown, code?: string): void {
  const type =
    code ??
    (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : error instanceof Error
        ? error.name
        : 'error');
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** The active span's ids for a log line, or nothing when no span is recording. */
export function activeSpanIds(): { trace_id: string; span_id: string } | Record<string, never> {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !trace.isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

export const SERVER_KIND = SpanKind.SERVER;
export const CLIENT_KIND = SpanKind.CLIENT;
export const CONSUMER_KIND = SpanKind.CONSUMER;
export const PRODUCER_KIND = SpanKind.PRODUCER;
