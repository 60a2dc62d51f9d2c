import { connectNats, ensureEventsStream } from '@odt/messaging';
import { OutboxRelay, outboxWakeSubject } from '@odt/outbox';
import { createLogger, databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

/**
 * A dedicated outbox relay process for one schema (`OUTBOX_SCHEMA`), for deployments that run the
 * services with `OUTBOX_RELAY=off`. Any number may run: one holds the leader lock, the others wait.
 */
const schema = databaseConfigSchema.extend({
  OUTBOX_SCHEMA: z.enum(['twins', 'relationships']),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** How often the outbox relay announces its watermark to the history service (0: never). */
  OUTBOX_WATERMARK_MS: z.coerce.number().int().min(0).default(200),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(256),
  OUTBOX_BATCH_MAX: z.coerce.number().int().min(1).max(20_000).default(2048),
  /** How long a published event stays in the outbox, marked, for inspection (0: deleted once in JetStream). */
  OUTBOX_KEEP_PUBLISHED_MS: z.coerce.number().int().min(0).default(0),
});

async function main(): Promise<void> {
  const config = loadConfig(schema);
  const logger = createLogger(`outbox-relay-${config.OUTBOX_SCHEMA}`, config.LOG_LEVEL);
  const nc = await connectNats(config, `outbox-relay-${config.OUTBOX_SCHEMA}`);
  await ensureEventsStream(nc, config.EVENTS_STREAM, config.EVENTS_SUBJECT_PREFIX, config.EVENTS_STREAM_REPLICAS);
  const relay = new OutboxRelay({
    databaseUrl: config.DATABASE_URL,
    schema: config.OUTBOX_SCHEMA,
    nc,
    wakeSubject: outboxWakeSubject(config.NATS_NAMESPACE, config.OUTBOX_SCHEMA),
    logger,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    maxBatchSize: config.OUTBOX_BATCH_MAX,
    keepPublishedMs: config.OUTBOX_KEEP_PUBLISHED_MS,
    ...(config.OUTBOX_WATERMARK_MS > 0
      ? { watermark: { stream: config.EVENTS_STREAM, intervalMs: config.OUTBOX_WATERMARK_MS, replicas: config.EVENTS_STREAM_REPLICAS } }
      : {}),
  });
  relay.start();
  logger.info('outbox relay started');
  const stop = async () => {
    await relay.stop();
    await nc.drain();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'outbox-relay', msg: (err as Error).message })}\n`);
  process.exit(1);
});
