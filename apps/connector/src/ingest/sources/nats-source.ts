import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { appendPatiently, decodePayload, pause, type RunningSource, type SourceContext, type SourceOf } from './source';

/**
 * A NATS source. When a JetStream stream captures the subject, a durable consumer of it
 * (`odt-connector-<installation>-<connection>`, explicit acks, acknowledged once the ingest stream
 * has the message): at least once, and what arrives while the connector is away waits. Otherwise
 * a core-NATS subscription: at most once, as core NATS is.
 */
export function startNatsSource(source: SourceOf<'nats'>, ctx: SourceContext, nc: NatsConnection): RunningSource {
  let stopped = false;
  let sub: Subscription | undefined;
  let closeConsumer: (() => Promise<void>) | undefined;
  /** When the stream stored the last message appended: where a consumer lost with a NATS crash starts again. */
  let lastStored: string | undefined;
  const headersOf = (h: { keys(): string[]; get(k: string): string } | undefined) => Object.fromEntries((h?.keys() ?? []).map((k) => [k, h!.get(k)]));

  const run = async () => {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(source.subject).catch(() => undefined);
    if (!stream) {
      sub = nc.subscribe(source.subject);
      ctx.logger.info({ connection: ctx.connection, subject: source.subject }, 'nats source subscribed (core NATS: at most once)');
      for await (const m of sub) {
        ctx.received();
        await appendPatiently(ctx, { topic: m.subject, headers: headersOf(m.headers), payload: decodePayload(m.data), receivedAt: new Date().toISOString() }, () => stopped);
      }
      return;
    }
    const durable = natsSourceDurable(ctx.installation, ctx.connection);
    // New: a connection takes what is published from its creation on. But a consumer this source
    // already read from and that is gone (a NATS server killed before it saved the consumer)
    // starts again at the last message appended, which the dedupe key drops, not at "new".
    const exists = await jsm.consumers.info(stream, durable).then(() => true, () => false);
    if (!exists) {
      await jsm.consumers.add(stream, {
        durable_name: durable, filter_subject: source.subject, ack_policy: AckPolicy.Explicit, max_ack_pending: 1000,
        ...(lastStored ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: lastStored } : { deliver_policy: DeliverPolicy.New }),
      }).catch(async () => jsm.consumers.info(stream, durable));
    }
    const consumer = await jetstream(nc).consumers.get(stream, durable);
    ctx.logger.info({ connection: ctx.connection, subject: source.subject, stream }, 'nats source consuming (JetStream: durable)');
    while (!stopped) {
      const messages = await consumer.consume({ max_messages: 500 });
      closeConsumer = () => messages.close().then(() => undefined);
      for await (const m of messages) {
        ctx.received();
        const envelope = { topic: m.subject, headers: headersOf(m.headers), payload: decodePayload(m.data), receivedAt: new Date().toISOString() };
        // The stream sequence and the time the stream stored the message dedupe a redelivery that
        // was already appended. The sequence alone is not enough: a NATS server killed before it
        // flushed its last messages hands their sequences out again to new ones after a restart.
        if (await appendPatiently(ctx, envelope, () => stopped, `${ctx.connection}:${stream}:${m.seq}:${m.timestampNanos}`)) {
          lastStored = m.timestamp;
          m.ack();
        }
        if (stopped) break;
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        await run();
      } catch (err) {
        ctx.logger.warn({ connection: ctx.connection, err: (err as Error).message }, 'nats source failed; restarting');
      }
      await pause(1000, () => stopped);
    }
  })();
  return {
    async stop() {
      stopped = true;
      sub?.unsubscribe();
      await closeConsumer?.().catch(() => undefined);
      await loop;
    },
  };
}

export const natsSourceDurable = (installation: string, connection: string) => `odt-connector-${installation}-${connection}`.replace(/[.*>\s]/g, '_');

/** A deleted connection's durable consumer of its source stream, if it had one. */
export async function removeNatsSourceConsumer(nc: NatsConnection, installation: string, connection: string, subject: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const stream = await jsm.streams.find(subject).catch(() => undefined);
  if (stream) await jsm.consumers.delete(stream, natsSourceDurable(installation, connection)).catch(() => undefined);
}
