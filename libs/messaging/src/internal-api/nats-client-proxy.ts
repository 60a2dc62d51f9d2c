import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { DomainError, encodeCaller, namespaced, RpcHeaders } from '@odt/contracts';
import { createInbox, headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { currentCall } from '@odt/service-kit';
import { publishBatcher, type PublishBatcher } from '../publish-batcher';
import { fromWireError, TransportFailure, type ReplyPacket } from './wire';

/** The status NATS sends to a request's reply subject when nobody subscribes to its subject. */
const NO_RESPONDERS = 503;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The client side of our internal APIs: a Nest `ClientProxy` on the process's one NATS connection,
 * speaking Nest's NATS wire format (a stock `ServerNats` can answer it). Beyond the stock
 * `ClientNats`:
 * - the call being served (request id, caller, trace) travels on as headers;
 * - replies come back on one inbox subscription (`<inbox>.<n>`), not a subscription per request;
 * - publishes join the connection's batch of the current event-loop turn (`PublishBatcher`);
 * - while the connection is down, or when nobody serves the subject, a request fails at once with
 *   `ServiceUnavailable` instead of waiting for a timeout.
 * Timeouts are the caller's (`InternalClient` applies one to every request).
 */
export class NatsClientProxy extends ClientProxy {
  private readonly inbox = createInbox();
  private readonly pending = new Map<string, { subject: string; callback: (packet: WritePacket) => void }>();
  private next = 0;
  /** Between a lost connection and its reconnect. */
  private disconnected = false;
  private readonly out: PublishBatcher;

  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace = '',
  ) {
    super();
    this.out = publishBatcher(nc);
    // Lives as long as the connection (drained with it at shutdown).
    nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.settle(msg) });
    void this.watch();
  }

  async connect(): Promise<NatsConnection> {
    return this.nc;
  }

  /** The connection is the process's, closed by its owner. */
  async close(): Promise<void> {}

  unwrap<T>(): T {
    return this.nc as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const subject = String(packet.pattern);
    if (this.disconnected) {
      // Not queued for the reconnect: the caller hears now, and nothing runs behind its back later.
      callback({ err: new TransportFailure('ServiceUnavailable', `Internal messaging is reconnecting; ${subject} was not sent. Try again shortly.`, 'no_responders') });
      return () => undefined;
    }
    const token = (this.next++).toString(36);
    const { id } = this.assignPacketId(packet);
    this.pending.set(token, { subject, callback });
    this.out.publish(namespaced(this.namespace, subject), encoder.encode(JSON.stringify({ pattern: subject, data: packet.data, id })), { reply: `${this.inbox}.${token}`, headers: callHeaders() }, (err) => {
      this.pending.delete(token);
      callback({ err: new TransportFailure('ServiceUnavailable', `Internal messaging failed for ${subject}: ${err.message}`, 'no_responders') });
    });
    return () => this.pending.delete(token);
  }

  /**
   * The same request as `send(pattern, data)`, as a promise: what `InternalClient` uses. Same
   * packet, headers and reply handling as `publish`, without an Observable per call (the gateway
   * makes one or more per HTTP request, and their cost showed in `npm run bench -- twins`).
   */
  request<T>(pattern: string, data: unknown, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const dispose = this.publish({ pattern, data }, ({ err, response }) => {
        settled = true;
        clearTimeout(timer);
        if (err) reject(this.serializeError(err));
        else resolve((response ?? null) as T);
      });
      if (settled) return; // refused at once (reconnecting)
      timer = setTimeout(() => {
        dispose();
        reject(new TransportFailure('GatewayTimeout', `The service behind ${pattern} did not answer in time.`, 'timeout'));
      }, timeoutMs);
    });
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    this.out.publish(namespaced(this.namespace, String(packet.pattern)), encoder.encode(JSON.stringify({ pattern: packet.pattern, data: packet.data })), { headers: callHeaders() });
    return undefined as T;
  }

  /** A reply's `err` becomes the domain error the handler threw. */
  protected override serializeError(err: unknown): DomainError {
    return fromWireError(err);
  }

  private settle(msg: Msg | undefined): void {
    if (!msg) return;
    const token = msg.subject.slice(this.inbox.length + 1);
    const call = this.pending.get(token);
    if (!call) return; // given up on already
    this.pending.delete(token);
    const { subject, callback } = call;
    if (msg.headers?.code === NO_RESPONDERS && msg.data.length === 0) {
      callback({ err: new TransportFailure('ServiceUnavailable', `No service is answering ${subject}. Try again shortly.`, 'no_responders'), isDisposed: true });
      return;
    }
    try {
      const { err, response, isDisposed } = JSON.parse(decoder.decode(msg.data)) as ReplyPacket;
      callback(err ? { err, isDisposed: true } : { response, isDisposed });
    } catch {
      callback({ err: new DomainError('InternalServerError', 'An internal reply was not JSON.'), isDisposed: true });
    }
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.disconnected = true;
      else if (status.type === 'reconnect') this.disconnected = false;
    }
  }
}

/** Headers of an outgoing request: the call being served, if any. */
function callHeaders() {
  const call = currentCall();
  if (!call) return undefined;
  const h = natsHeaders();
  if (call.requestId) h.set(RpcHeaders.RequestId, call.requestId);
  if (call.caller) h.set(RpcHeaders.Caller, encodeCaller(call.caller));
  if (call.traceparent) h.set(RpcHeaders.TraceParent, call.traceparent);
  return h;
}
