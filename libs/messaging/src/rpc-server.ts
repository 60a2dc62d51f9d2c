import { decodeCaller, DomainError, namespaced, RpcHeaders, type Caller, type ReplyOf, type RequestOf, type RpcReply, type Subject } from '@odt/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { runInCall, SpanKind, startSpan, type Metrics } from '@odt/service-kit';
import type { Histogram } from 'prom-client';
import { publishBatcher, type PublishBatcher } from './publish-batcher';

export interface RpcContext {
  requestId?: string;
  caller?: Caller;
  traceparent?: string;
}

export type RpcHandlerFn<S extends Subject> = (request: RequestOf<S>, ctx: RpcContext) => Promise<ReplyOf<S>>;

/**
 * Serves internal request/reply subjects in a queue group (replicas share the load), replies with
 * the `RpcReply` envelope, and on shutdown stops taking requests and waits for the ones in flight.
 */
export class RpcServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  private readonly duration?: Histogram<'subject' | 'outcome'>;
  private readonly out: PublishBatcher;

  constructor(
    private readonly nc: NatsConnection,
    private readonly queue: string,
    private readonly logger: Logger,
    private readonly namespace = '',
    metrics?: Metrics,
  ) {
    this.out = publishBatcher(nc);
    this.duration = metrics?.histogram('nats_rpc_server_duration_seconds', 'Internal requests served, by subject and outcome (ok, or the error code).', ['subject', 'outcome']);
  }

  handle<S extends Subject>(subject: S, handler: RpcHandlerFn<S>): void {
    const sub = this.nc.subscribe(namespaced(this.namespace, subject), {
      queue: this.queue,
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject }, 'subscription failed');
          return;
        }
        const work = this.serve(subject, msg, handler).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
    });
    this.subscriptions.push(sub);
  }

  /** Stops receiving new requests, then waits for in-flight ones to reply. */
  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
    await Promise.all([...this.inFlight]);
    // Their replies are out before the connection is drained.
    this.out.flush();
  }

  private async serve<S extends Subject>(subject: S, msg: Msg, handler: RpcHandlerFn<S>): Promise<void> {
    const started = performance.now();
    const requestId = msg.headers?.get(RpcHeaders.RequestId) || undefined;
    // This service's span of the caller's trace; events built while serving it carry it on.
    const span = startSpan(subject, SpanKind.SERVER, msg.headers?.get(RpcHeaders.TraceParent) || undefined, { 'messaging.system': 'nats', 'odt.service': this.queue });
    const context: RpcContext = {
      requestId,
      caller: decodeCaller(msg.headers?.get(RpcHeaders.Caller)),
      traceparent: span.traceparent,
    };
    let reply: RpcReply<ReplyOf<S>>;
    try {
      const request = JSON.parse(this.decoder.decode(msg.data)) as RequestOf<S>;
      const data = await runInCall(context, () => handler(request, context));
      reply = { ok: true, data: data ?? (null as ReplyOf<S>) };
    } catch (err) {
      if (err instanceof DomainError) {
        reply = { ok: false, error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
      } else {
        this.logger.error({ err, subject, requestId }, 'request handler failed');
        reply = { ok: false, error: { code: 'InternalServerError', message: 'An internal error occurred.' } };
      }
    }
    const outcome = reply.ok ? 'ok' : reply.error.code;
    span.end(reply.ok ? undefined : outcome);
    this.duration?.observe({ subject, outcome }, (performance.now() - started) / 1000);
    if (!msg.reply) return;
    this.out.publish(msg.reply, this.encoder.encode(JSON.stringify(reply)), undefined, (err) => this.logger.warn({ err, subject, requestId }, 'could not send reply'));
  }
}
