import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { parseTraceParent, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export { SpanKind };

const propagator = new W3CTraceContextPropagator();
const getter = { get: (carrier: Record<string, string>, key: string) => carrier[key], keys: (carrier: Record<string, string>) => Object.keys(carrier) };
const setter = { set: (carrier: Record<string, string>, key: string, value: string) => { carrier[key] = value; } };

let provider: NodeTracerProvider | undefined;

/**
 * Turns on OpenTelemetry tracing for this process: spans go to `exporter`, or to the OTLP/HTTP
 * endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`). Without either, no span is recorded, but W3C
 * `traceparent`s are still carried from the gateway through NATS to the services and into events.
 * The first call in a process wins (services embedded together share one provider).
 */
export function initTracing(service: string, options: { otlpEndpoint?: string; exporter?: SpanExporter; processor?: SpanProcessor } = {}): void {
  if (provider) return;
  const processors = options.processor
    ? [options.processor]
    : options.exporter
      ? [new BatchSpanProcessor(options.exporter)]
      : options.otlpEndpoint
        ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))]
        : [];
  if (processors.length === 0) return;
  provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: processors });
  trace.setGlobalTracerProvider(provider);
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

/** A span and the `traceparent` that makes the next hop its child. */
export interface TraceSpan {
  traceparent: string;
  traceId: string;
  end(error?: string): void;
}

/**
 * Starts a span, the child of `parent` (a W3C `traceparent`) or the root of a new trace. When no
 * tracer is installed the span records nothing, yet its `traceparent` continues the caller's trace
 * (or starts one), so events and logs are still correlated.
 */
export function startSpan(name: string, kind: SpanKind, parent: string | undefined, attributes: Attributes = {}): TraceSpan {
  if (!provider) return untracedSpan(parent);
  const parentContext = parent ? propagator.extract(ROOT_CONTEXT, { traceparent: parent }, getter) : ROOT_CONTEXT;
  const span: Span = trace.getTracer('open-digital-twins').startSpan(name, { kind, attributes }, parentContext);
  let context = span.spanContext();
  if (!trace.isSpanContextValid(context)) {
    // No tracer and no parent: a fresh, unsampled trace id so the request can still be followed in logs.
    context = { traceId: randomHex(16), spanId: randomHex(8), traceFlags: 0 };
  }
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, context), carrier, setter);
  return {
    traceparent: carrier.traceparent,
    traceId: context.traceId,
    end(error?: string) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
  };
}

/** A span that no tracer records, on every request when tracing is off. */
const UNTRACED_END = (): void => undefined;

/**
 * What `startSpan` gives without a tracer, without going through the OpenTelemetry API (a no-op
 * tracer, contexts, the propagator: several allocations and regular expressions per request on every
 * hop): a valid parent's trace and span ids as they came (a non-recording span keeps its parent's
 * context), or a fresh unsampled trace.
 */
function untracedSpan(parent: string | undefined): TraceSpan {
  const context = (parent ? parseTraceParent(parent) : null) ?? { traceId: randomHex(16), spanId: randomHex(8), traceFlags: 0 };
  return { traceparent: `00-${context.traceId}-${context.spanId}-0${Number(context.traceFlags || 0).toString(16)}`, traceId: context.traceId, end: UNTRACED_END };
}

/** The trace id inside a `traceparent` (`00-<trace id>-<span id>-<flags>`). */
export const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

/** Random hex ids from `randomUUID` (its entropy is cached; `randomBytes` per request showed in profiles). */
const randomHex = (bytes: number): string => randomUUID().replace(/-/g, '').slice(0, bytes * 2);
