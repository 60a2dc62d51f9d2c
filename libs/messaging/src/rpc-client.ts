import { DomainError, isErrorCode, namespaced, RpcHeaders, type ReplyOf, type RequestOf, type RpcReply, type Subject } from '@odt/contracts';
import { errors, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';

export interface RpcCallOptions {
  timeoutMs?: number;
  requestId?: string;
}

/**
 * The typed request/reply client every caller of an internal service API uses. A reply with an
 * error becomes the same DomainError again; no responder is a 503, a timeout a 504.
 */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly defaultTimeoutMs: number,
    private readonly namespace = '',
  ) {}

  async request<S extends Subject>(subject: S, payload: RequestOf<S>, options: RpcCallOptions = {}): Promise<ReplyOf<S>> {
    const h = natsHeaders();
    if (options.requestId) h.set(RpcHeaders.RequestId, options.requestId);
    let raw: Uint8Array;
    try {
      const msg = await this.nc.request(namespaced(this.namespace, subject), JSON.stringify(payload), {
        timeout: options.timeoutMs ?? this.defaultTimeoutMs,
        headers: h,
      });
      raw = msg.data;
    } catch (err) {
      throw toTransportError(err, subject);
    }
    const reply = JSON.parse(new TextDecoder().decode(raw)) as RpcReply<ReplyOf<S>>;
    if (reply.ok) return reply.data;
    const code = isErrorCode(reply.error.code) ? reply.error.code : 'InternalServerError';
    throw new DomainError(code, reply.error.message, reply.error.details);
  }
}

function toTransportError(err: unknown, subject: string): DomainError {
  const noResponders = err instanceof errors.NoRespondersError
    || (err instanceof errors.RequestError && err.isNoResponders());
  if (noResponders) {
    return new DomainError('ServiceUnavailable', `No service is answering ${subject}. Try again shortly.`);
  }
  const timedOut = err instanceof errors.TimeoutError || (err as Error).cause instanceof errors.TimeoutError;
  if (timedOut) {
    return new DomainError('GatewayTimeout', `The service behind ${subject} did not answer in time.`);
  }
  return new DomainError('ServiceUnavailable', `Internal messaging failed for ${subject}: ${(err as Error).message}`);
}
