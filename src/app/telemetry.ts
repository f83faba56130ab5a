import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Telemetry } from '../observability/instrument-turn.ts';
import { type BatonMetrics, createBatonMetrics } from '../observability/metrics.ts';
import { defaultTracer } from '../observability/tracing.ts';
import type { Environment } from './environment.ts';

export interface StartedTelemetry extends Telemetry {
  /** Flushes and stops the exporter; a no-op when tracing is off. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is on only when an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or its traces
 * variant); the SDK then reads the standard `OTEL_*` variables itself (headers, service name,
 * sampler, resource attributes). Metrics are always collected and served on `/metrics`.
 */
export function startTelemetry(
  environment: Pick<Environment, 'otlpEndpoint'>,
  options: { metrics?: BatonMetrics; queueDepth?: () => Promise<number> } = {},
): StartedTelemetry {
  const metrics = options.metrics ?? createBatonMetrics(undefined, { queueDepth: options.queueDepth });
  if (!environment.otlpEndpoint) return { tracer: defaultTracer(), metrics, shutdown: async () => {} };
  const sdk = new NodeSDK({
    serviceName: 'baton',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [],
  });
  sdk.start();
  return { tracer: defaultTracer(), metrics, shutdown: () => sdk.shutdown() };
}
