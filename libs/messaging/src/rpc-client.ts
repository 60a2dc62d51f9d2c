import { DomainError, encodeCaller, isErrorCode, namespaced, RpcHeaders, type Caller, type ReplyOf, type RequestOf, type RpcReply, type Subject } from '@odt/contracts';
import { createInbox, headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { currentCall, type Metrics } from '@odt/service-kit';
import type { Histogram } from 'prom-client';
import { publishBatcher, type PublishBatcher } from './publish-batcher';

export interface RpcCallOptions {
  timeoutMs?: number;
  requestId?: string;
  /** Who the call is made for; by default the caller of the request being served, if any. */
  caller?: Caller;
  traceparent?: string;
}

interface Pending {
  subject: string;
  started: number;
  resolve: (data: Uint8Array) => void;
  reject: (err: DomainError) => void;
  timer: NodeJS.Timeout;
}

const decoder = new TextDecoder();
/** The status NATS sends to a request's reply subject when nobody subscribes to its subject. */
const NO_RESPONDERS = 503;

/**
 * The typed request/reply client every caller of an internal service API uses. A reply with an
 * error becomes the same DomainError again; no responder is a 503, a timeout a 504.
 *
 * Replies come back on one inbox subscription (`<inbox>.<n>`), matched to their request here:
 * the library's own `request()` builds an Error with a stack per call even on success, which
 * on the gateway's hot path cost more than the rest of the call.
 */
export class RpcClient {
  private readonly inbox = createInbox();
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  /** Between a lost connection and its reconnect: requests fail at once instead of timing out. */
  private disconnected = false;
  private readonly duration?: Histogram<'subject' | 'outcome'>;
  private readonly out: PublishBatcher;

  constructor(
    private readonly nc: NatsConnection,
    private readonly defaultTimeoutMs: number,
    private readonly namespace = '',
    metrics?: Metrics,
  ) {
    this.out = publishBatcher(nc);
    this.duration = metrics?.histogram('nats_rpc_client_duration_seconds', 'Internal requests made over NATS, by subject and outcome (ok, error, timeout, no_responders).', ['subject', 'outcome']);
    // Lives as long as the connection (drained with it at shutdown).
    nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.settle(msg) });
    void this.watch(nc);
  }

  async request<S extends Subject>(subject: S, payload: RequestOf<S>, options: RpcCallOptions = {}): Promise<ReplyOf<S>> {
    const raw = await this.send(subject, JSON.stringify(payload), options);
    const reply = JSON.parse(decoder.decode(raw)) as RpcReply<ReplyOf<S>>;
    if (reply.ok) return reply.data;
    const code = isErrorCode(reply.error.code) ? reply.error.code : 'InternalServerError';
    throw new DomainError(code, reply.error.message, reply.error.details);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') this.disconnected = true;
      else if (status.type === 'reconnect') this.disconnected = false;
    }
  }

  private send(subject: string, body: string, options: RpcCallOptions): Promise<Uint8Array> {
    if (this.disconnected) {
      // Not queued for the reconnect: the caller hears now, and nothing runs behind its back later.
      this.duration?.observe({ subject, outcome: 'no_responders' }, 0);
      return Promise.reject(new DomainError('ServiceUnavailable', `Internal messaging is reconnecting; ${subject} was not sent. Try again shortly.`));
    }
    const token = (this.next++).toString(36);
    const h = natsHeaders();
    const served = currentCall();
    const requestId = options.requestId ?? served?.requestId;
    const caller = options.caller ?? served?.caller;
    const traceparent = options.traceparent ?? served?.traceparent;
    if (requestId) h.set(RpcHeaders.RequestId, requestId);
    if (caller) h.set(RpcHeaders.Caller, encodeCaller(caller));
    if (traceparent) h.set(RpcHeaders.TraceParent, traceparent);
    return new Promise<Uint8Array>((resolve, reject) => {
      const started = performance.now();
      const timer = setTimeout(() => {
        this.pending.delete(token);
        this.observe(subject, started, 'timeout');
        reject(new DomainError('GatewayTimeout', `The service behind ${subject} did not answer in time.`));
      }, options.timeoutMs ?? this.defaultTimeoutMs);
      this.pending.set(token, { subject, started, resolve, reject, timer });
      this.out.publish(namespaced(this.namespace, subject), body, { reply: `${this.inbox}.${token}`, headers: h }, (err) => {
        clearTimeout(timer);
        this.pending.delete(token);
        reject(new DomainError('ServiceUnavailable', `Internal messaging failed for ${subject}: ${err.message}`));
      });
    });
  }

  private settle(msg: Msg | undefined): void {
    if (!msg) return;
    const token = msg.subject.slice(this.inbox.length + 1);
    const call = this.pending.get(token);
    if (!call) return; // timed out already
    this.pending.delete(token);
    clearTimeout(call.timer);
    if (msg.headers?.code === NO_RESPONDERS && msg.data.length === 0) {
      this.observe(call.subject, call.started, 'no_responders');
      call.reject(new DomainError('ServiceUnavailable', `No service is answering ${call.subject}. Try again shortly.`));
    } else {
      // The reply envelope starts `{"ok":true` or `{"ok":false`.
      this.observe(call.subject, call.started, msg.data[6] === 0x74 ? 'ok' : 'error');
      call.resolve(msg.data);
    }
  }

  private observe(subject: string, started: number, outcome: string): void {
    this.duration?.observe({ subject, outcome }, (performance.now() - started) / 1000);
  }
}
