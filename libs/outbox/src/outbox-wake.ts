import { Inject, Injectable } from '@nestjs/common';
import { namespaced } from '@odt/contracts';
import { NATS_CONNECTION, NATS_NAMESPACE } from '@odt/messaging';
import type { NatsConnection } from '@nats-io/transport-node';

/** The core-NATS subject that wakes the relay of `schema`'s outbox (no payload, no reply). */
export function outboxWakeSubject(namespace: string, schema: string): string {
  return namespaced(namespace, `odt.notice.outbox.${schema}`);
}

/**
 * Tells the outbox relays that new rows have committed, after the commit. A writer used to say so
 * with `pg_notify` in its transaction; but Postgres serialises the commits of every transaction
 * that notifies (one global lock held across the commit's WAL flush), which held 32 writers to
 * 2,100–2,650 commits/s against 4,450–6,900 without it (docs/benchmarks.md). A wake is only a
 * hint: a lost one (the writer died between its commit and the publish) delays the events by at
 * most the relay's poll (`OUTBOX_POLL_MS`), it never loses them.
 *
 * Wakes asked for in the same turn of the event loop go out as one message per schema.
 */
@Injectable()
export class OutboxWaker {
  private readonly due = new Set<string>();
  private scheduled = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(NATS_NAMESPACE) private readonly namespace: string,
  ) {}

  /** Runs `commit` (a transaction writing to these schemas' outboxes), then wakes their relays. */
  async afterCommit<T>(schemas: string[], commit: () => Promise<T>): Promise<T> {
    const result = await commit();
    this.wake(...schemas);
    return result;
  }

  /** Call once the transaction that wrote to these schemas' outboxes has committed. */
  wake(...schemas: string[]): void {
    for (const schema of schemas) this.due.add(schema);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const schema of this.due) {
        try {
          this.nc.publish(outboxWakeSubject(this.namespace, schema));
        } catch {
          // A closed connection: the relay's poll picks the rows up.
        }
      }
      this.due.clear();
    });
  }
}
