import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

const TWO_MINUTES_NS = 120 * 1_000_000_000;
const SEVEN_DAYS_NS = 7 * 24 * 3600 * 1_000_000_000;

/**
 * Creates the durable events stream if it is missing (with `replicas` copies in a JetStream cluster). Its duplicate window is what makes the
 * relay's republish after a crash harmless (`Nats-Msg-Id` = event id).
 */
export async function ensureEventsStream(nc: NatsConnection, stream: string, subjectPrefix: string, replicas = 1): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(stream);
  } catch {
    try {
      await jsm.streams.add({
        name: stream,
        subjects: [`${subjectPrefix}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        duplicate_window: TWO_MINUTES_NS,
        max_age: SEVEN_DAYS_NS,
        num_replicas: replicas,
      });
    } catch (err) {
      // A concurrent starter created it first.
      await jsm.streams.info(stream).catch(() => { throw err; });
    }
  }
  return jsm;
}
