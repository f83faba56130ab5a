import type { Middleware } from '../../middleware/types.ts';
import type { ModelClient } from '../model/types.ts';
import type { Sandbox, SandboxProvider } from '../sandbox/types.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import type { Tool } from '../tools/types.ts';
import type { BatonMetrics } from './metrics.ts';
import { inSpan, markFailed, SpanKind, type Tracer, traceparentOf } from './tracing.ts';

/** What the decorators below report to: spans (no-op when tracing is off) and Prometheus series. */
export interface Telemetry {
  tracer: Tracer;
  metrics: BatonMetrics;
}

const seconds = (startedMs: number) => (performance.now() - startedMs) / 1000;
const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : 'error';

/**
 * Every model call as a GenAI client span (model, tokens, cost) carrying the turn's `traceparent`
 * to the model server, plus the step, token and cost counters.
 */
export function instrumentModel(model: ModelClient, telemetry: Telemetry): ModelClient {
  const { tracer, metrics } = telemetry;
  const labels = { model: model.model };
  return {
    provider: model.provider,
    model: model.model,
    complete: (request, signal) =>
      inSpan(
        tracer,
        `chat ${model.model}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': model.model,
            'baton.model.api': model.provider,
          },
        },
        async (span) => {
          const started = performance.now();
          const traceparent = traceparentOf();
          try {
            const response = await model.complete(
              traceparent ? { ...request, headers: { ...request.headers, traceparent } } : request,
              signal,
            );
            const { usage } = response;
            span.setAttributes({
              'gen_ai.usage.input_tokens': usage.inputTokens,
              'gen_ai.usage.cache_read.input_tokens': usage.cachedInputTokens,
              'gen_ai.usage.output_tokens': usage.outputTokens,
              'gen_ai.response.finish_reasons': [response.finishReason],
              'baton.cost_usd': response.costUsd,
            });
            metrics.steps.inc(labels);
            metrics.tokens.inc({ ...labels, kind: 'input' }, usage.inputTokens);
            metrics.tokens.inc({ ...labels, kind: 'cached' }, usage.cachedInputTokens);
            metrics.tokens.inc({ ...labels, kind: 'output' }, usage.outputTokens);
            metrics.costUsd.inc(labels, response.costUsd);
            metrics.modelCallDuration.observe(seconds(started), { ...labels, code: 'ok' });
            return response;
          } catch (error) {
            metrics.modelCallDuration.observe(seconds(started), { ...labels, code: codeOf(error) });
            throw error;
          }
        },
      ),
  };
}

function instrumentTool(tool: Tool, telemetry: Telemetry): Tool {
  const { tracer, metrics } = telemetry;
  return {
    ...tool,
    execute: (args, context) =>
      inSpan(
        tracer,
        `execute_tool ${tool.name}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': tool.name,
            'baton.tool.effect': tool.effect,
          },
        },
        async (span) => {
          try {
            const result = await tool.execute(args, context);
            if (result.ok) {
              span.setAttribute('baton.tool.truncated', result.truncated);
              metrics.toolCalls.inc({ tool: tool.name, code: 'ok' });
            } else {
              // A failing tool is data for the model, not an exception: the span says so all the same.
              markFailed(span, new Error(result.error), 'tool_error');
              metrics.toolCalls.inc({ tool: tool.name, code: 'tool_error' });
            }
            return result;
          } catch (error) {
            metrics.toolCalls.inc({ tool: tool.name, code: codeOf(error) });
            throw error;
          }
        },
      ),
  };
}

/** The same registry (same order, same specs: the cached prompt prefix is untouched) with traced tools. */
export function instrumentToolRegistry(registry: ToolRegistry, telemetry: Telemetry): ToolRegistry {
  const tools = registry.tools.map((tool) => instrumentTool(tool, telemetry));
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return { tools, get: (name) => byName.get(name), specs: () => registry.specs() };
}

export function instrumentMiddlewares(
  middlewares: readonly Middleware[],
  telemetry: Telemetry,
): Middleware[] {
  const { tracer, metrics } = telemetry;
  return middlewares.map((middleware) => ({
    ...middleware,
    run: (context) =>
      inSpan(
        tracer,
        `middleware ${middleware.name}`,
        { attributes: { 'baton.middleware.name': middleware.name } },
        async (span) => {
          const result = await middleware.run(context);
          span.setAttribute('baton.middleware.status', result.status);
          if (result.status === 'failed' || result.status === 'blocked') {
            markFailed(span, new Error(result.summary), `middleware_${result.status}`);
          }
          metrics.middlewareResults.inc({ step: middleware.name, status: result.status });
          return result;
        },
      ),
  }));
}

function instrumentSandbox(sandbox: Sandbox, provider: string, telemetry: Telemetry): Sandbox {
  const { tracer, metrics } = telemetry;
  const exec: Sandbox['exec'] = (request) =>
    inSpan(tracer, 'sandbox exec', { attributes: { 'baton.sandbox.provider': provider } }, async (span) => {
      const started = performance.now();
      try {
        const result = await sandbox.exec(request);
        span.setAttributes({
          'process.exit.code': result.exitCode,
          'baton.exec.timed_out': result.timedOut,
          'baton.exec.truncated': result.truncated,
        });
        const outcome = result.timedOut ? 'timeout' : result.exitCode === 0 ? 'ok' : 'nonzero';
        metrics.sandboxExec.observe(seconds(started), { provider, result: outcome });
        return result;
      } catch (error) {
        metrics.sandboxExec.observe(seconds(started), { provider, result: 'failed' });
        throw error;
      }
    });
  // The prototype chain of a provider's sandbox is not copied by spreading, so bind explicitly.
  return new Proxy(sandbox, {
    get: (target, property, receiver) =>
      property === 'exec' ? exec : Reflect.get(target, property, receiver),
  });
}

export function instrumentProvider(provider: SandboxProvider, telemetry: Telemetry): SandboxProvider {
  const { tracer, metrics } = telemetry;
  return {
    kind: provider.kind,
    // Not a turn's work: passed through as it is.
    ...(provider.reconcile ? { reconcile: provider.reconcile.bind(provider) } : {}),
    create: (options) =>
      inSpan(
        tracer,
        'sandbox create',
        { attributes: { 'baton.sandbox.provider': provider.kind, 'baton.repo': options.repo.name } },
        async () => {
          const started = performance.now();
          try {
            const sandbox = await provider.create(options);
            metrics.sandboxCreate.observe(seconds(started), { provider: provider.kind, result: 'ok' });
            return instrumentSandbox(sandbox, provider.kind, telemetry);
          } catch (error) {
            metrics.sandboxCreate.observe(seconds(started), { provider: provider.kind, result: 'failed' });
            throw error;
          }
        },
      ),
  };
}
