import type { ClientProxy } from '@nestjs/microservices';
import { DomainError, type ReplyOf, type RequestOf, type Subject } from '@odt/contracts';
import type { Metrics } from '@odt/service-kit';
import type { Histogram } from 'prom-client';
import { lastValueFrom, throwError, timeout } from 'rxjs';
import { NatsClientProxy } from './nats-client-proxy';
import { TransportFailure } from './wire';

export interface RequestOptions {
  /** Longer (or shorter) than the service's `NATS_REQUEST_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/**
 * The typed face of a `ClientProxy` to our internal APIs: `request(subject, payload)` takes the
 * payload type of that subject in `libs/contracts` and resolves to its reply type; a failure is
 * the handler's `DomainError` (`ServiceUnavailable` when nobody answers, `GatewayTimeout` when the
 * answer does not come in time). The call being served travels on with it.
 */
export class InternalClient {
  private readonly duration?: Histogram<'subject' | 'outcome'>;

  constructor(
    readonly proxy: ClientProxy,
    private readonly defaultTimeoutMs: number,
    metrics?: Metrics,
  ) {
    this.duration = metrics?.histogram('nats_rpc_client_duration_seconds', 'Internal requests made over NATS, by subject and outcome (ok, error, timeout, no_responders).', ['subject', 'outcome']);
  }

  async request<S extends Subject>(subject: S, payload: RequestOf<S>, options: RequestOptions = {}): Promise<ReplyOf<S>> {
    const started = performance.now();
    const ms = options.timeoutMs ?? this.defaultTimeoutMs;
    try {
      const reply = await this.send(subject, payload, ms);
      this.observe(subject, started, 'ok');
      return reply;
    } catch (err) {
      const error = err instanceof DomainError ? err : new TransportFailure('ServiceUnavailable', `Internal messaging failed for ${subject}: ${(err as Error).message}`, 'no_responders');
      this.observe(subject, started, outcomeOf(error));
      throw error;
    }
  }

  /** A fire-and-forget event (`@EventPattern` handlers). */
  /** Our own proxy answers with a promise; any other `ClientProxy` (a test's, a stock one) through `send`. */
  private send<S extends Subject>(subject: S, payload: RequestOf<S>, ms: number): Promise<ReplyOf<S>> {
    if (this.proxy instanceof NatsClientProxy) return this.proxy.request<ReplyOf<S>>(subject, payload, ms);
    return lastValueFrom(
      this.proxy.send<ReplyOf<S>, RequestOf<S>>(subject, payload).pipe(
        timeout({ first: ms, with: () => throwError(() => new TransportFailure('GatewayTimeout', `The service behind ${subject} did not answer in time.`, 'timeout')) }),
      ),
      { defaultValue: null as ReplyOf<S> },
    );
  }

  emit(subject: string, payload: unknown): void {
    this.proxy.emit(subject, payload);
  }

  private observe(subject: string, started: number, outcome: string): void {
    this.duration?.observe({ subject, outcome }, (performance.now() - started) / 1000);
  }
}

/** `error` is an answer with an error; the transport's own failures say what happened. */
function outcomeOf(err: DomainError): string {
  return err instanceof TransportFailure ? err.outcome : 'error';
}
