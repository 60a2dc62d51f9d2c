import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { decodeCaller, namespaced, RpcHeaders } from '@odt/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { runInCall, SpanKind, startSpan, type CallContext, type Metrics } from '@odt/service-kit';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { isObservable, lastValueFrom } from 'rxjs';
import { publishBatcher, type PublishBatcher } from '../publish-batcher';
import { InternalCallContext } from './internal-call-context';
import { isWireError, toWireError, type ReplyPacket, type RequestPacket, type WireError } from './wire';

export interface NatsTransportOptions {
  /** The queue group: replicas of one service share its requests. */
  queue: string;
  /** Prefix of every subject (`NATS_NAMESPACE`). */
  namespace: string;
  logger: Logger;
  metrics?: Metrics;
}

/** `@EventPattern(subject, { broadcast: true })`: every replica hears the event (no queue group). */
export interface EventExtras {
  broadcast?: boolean;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The server side of our internal APIs: a Nest transport strategy that serves `@MessagePattern`
 * (and `@EventPattern`) handlers over the process's one NATS connection, in Nest's NATS wire
 * format. Beyond the stock `ServerNats` it carries the call context (request id, caller, trace)
 * from the headers into the handler, shares the connection's batched writes for its replies, and
 * on shutdown stops taking requests and waits for the ones in flight.
 */
export class NatsTransport extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly out: PublishBatcher;
  private readonly duration?: Histogram<'subject' | 'outcome'>;
  private stopped?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsTransportOptions,
  ) {
    super();
    this.out = publishBatcher(nc);
    this.duration = options.metrics?.histogram('nats_rpc_server_duration_seconds', 'Internal requests served, by subject and outcome (ok, or the error code).', ['subject', 'outcome']);
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      const broadcast = handler.isEventHandler && (handler.extras as EventExtras | undefined)?.broadcast === true;
      this.subscriptions.push(this.nc.subscribe(namespaced(this.options.namespace, pattern), {
        ...(broadcast ? {} : { queue: this.options.queue }),
        callback: (err, msg) => {
          if (err) this.options.logger.error({ err, subject: pattern }, 'subscription failed');
          else this.track(this.serve(pattern, handler, msg));
        },
      }));
    }
    callback();
  }

  /** Stops receiving, then waits for the requests in flight to be answered. Idempotent. */
  close(): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
      await Promise.all([...this.inFlight]);
      this.out.flush();
    })();
    return this.stopped;
  }

  on(): never {
    throw new Error('NatsTransport has no events; watch the NATS connection instead.');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async serve(pattern: string, handler: MessageHandler, msg: Msg): Promise<void> {
    const started = performance.now();
    let packet: RequestPacket;
    try {
      packet = JSON.parse(decoder.decode(msg.data)) as RequestPacket;
    } catch {
      this.options.logger.warn({ subject: pattern }, 'request is not JSON; dropped');
      return;
    }
    // The service's span of the caller's trace; events built while serving carry it on.
    const span = startSpan(pattern, SpanKind.SERVER, msg.headers?.get(RpcHeaders.TraceParent) || undefined, { 'messaging.system': 'nats', 'odt.service': this.options.queue });
    const call: CallContext = {
      requestId: msg.headers?.get(RpcHeaders.RequestId) || undefined,
      caller: decodeCaller(msg.headers?.get(RpcHeaders.Caller)),
      traceparent: span.traceparent,
    };
    const context = new InternalCallContext(msg.subject, msg.headers, call);
    if (packet.id === undefined) {
      await runInCall(call, () => this.handleEvent(pattern, packet, context)).catch((err: unknown) => this.options.logger.error({ err, subject: pattern }, 'event handler failed'));
      span.end();
      return;
    }
    let reply: ReplyPacket;
    try {
      // Nest's handler proxy resolves to the handler's value, or to an Observable (a stream, or the
      // exception filter's error); only the latter needs RxJS.
      const result: unknown = await runInCall(call, () => handler(packet.data, context));
      const response = isObservable(result) ? await lastValueFrom(result, { defaultValue: null }) : result;
      reply = { id: packet.id, response: response ?? null, isDisposed: true };
    } catch (err) {
      reply = { id: packet.id, err: this.wireError(err, pattern, call.requestId), isDisposed: true };
    }
    const outcome = reply.err ? (reply.err as WireError).code : 'ok';
    span.end(reply.err ? outcome : undefined);
    this.duration?.observe({ subject: pattern, outcome }, (performance.now() - started) / 1000);
    if (!msg.reply) return;
    this.out.publish(msg.reply, encoder.encode(JSON.stringify(reply)), undefined, (err) => this.options.logger.warn({ err, subject: pattern, requestId: call.requestId }, 'could not send reply'));
  }

  /** The exception filter has turned domain errors into wire errors; anything else is logged here. */
  private wireError(err: unknown, subject: string, requestId?: string): WireError {
    if (isWireError(err)) return err;
    const wire = toWireError(err);
    if (wire.code === 'InternalServerError') this.options.logger.error({ err, subject, requestId }, 'request handler failed');
    return wire;
  }
}
