import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import type { DigitalTwinsEvent } from '@odt/contracts';

export interface DeadLetter {
  /** Position in the dead-letter stream; replay removes it by this. */
  sequence: number;
  endpoint: string;
  reason: string;
  attempts: number;
  deadLetteredAt: string;
  event: DigitalTwinsEvent;
}

const THIRTY_DAYS_NS = 30 * 24 * 3600 * 1_000_000_000;

/**
 * The events an endpoint never took, after its attempts or time-to-live ran out: kept in their own
 * stream (subject `<prefix>.<endpoint>`), listed and replayed through the API.
 */
export class DeadLetters {
  private readonly js: JetStreamClient;

  constructor(
    private readonly nc: NatsConnection,
    readonly stream: string,
    private readonly subjectPrefix: string,
  ) {
    this.js = jetstream(nc);
  }

  async ensureStream(replicas = 1): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.info(this.stream).catch(() =>
      jsm.streams.add({ name: this.stream, subjects: [`${this.subjectPrefix}.>`], retention: RetentionPolicy.Limits, storage: StorageType.File, max_age: THIRTY_DAYS_NS, allow_direct: true, num_replicas: replicas })
        .catch(() => jsm.streams.info(this.stream)));
  }

  async add(endpoint: string, event: DigitalTwinsEvent, reason: string, attempts: number): Promise<void> {
    const h = natsHeaders();
    h.set('odt-reason', reason.slice(0, 512));
    h.set('odt-attempts', String(attempts));
    // One dead letter per endpoint and event, however often the worker is interrupted here.
    await this.js.publish(`${this.subjectPrefix}.${endpoint}`, JSON.stringify(event), { headers: h, msgID: `${endpoint}:${event.id}`, timeout: 5000 });
  }

  async list(endpoint: string, limit: number): Promise<DeadLetter[]> {
    const jsm = await jetstreamManager(this.nc);
    const out: DeadLetter[] = [];
    let next = 0;
    while (out.length < limit) {
      const msg = await jsm.direct.getMessage(this.stream, { next_by_subj: `${this.subjectPrefix}.${endpoint}`, seq: next }).catch(() => null);
      if (!msg) break;
      out.push({
        sequence: msg.seq,
        endpoint,
        reason: msg.header.get('odt-reason'),
        attempts: Number(msg.header.get('odt-attempts')),
        deadLetteredAt: msg.time.toISOString(),
        event: msg.json<DigitalTwinsEvent>(),
      });
      next = msg.seq + 1;
    }
    return out;
  }

  async remove(sequence: number): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.deleteMessage(this.stream, sequence, false);
  }
}
