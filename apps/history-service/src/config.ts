import { databaseConfigSchema, loadConfig, querySettingsShape } from '@odt/service-kit';
import { z } from 'zod';

export const historyConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8106),
  /** Durable consumer of the change stream; replicas share it. */
  HISTORY_CONSUMER: z.string().regex(/^[A-Za-z0-9_-]+$/).default('history'),
  /** Events written per transaction, and the consumer's max unacknowledged (one batch in flight). */
  HISTORY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Longest a batch waits for the rest of a burst: a little latency for far fewer transactions. */
  HISTORY_BATCH_DELAY_MS: z.coerce.number().int().min(0).max(1000).default(200),
  /** A batch is written once nothing has arrived for this long (a lone change does not wait the whole delay). */
  HISTORY_BATCH_QUIET_MS: z.coerce.number().int().min(1).max(1000).default(20),
  /** How long an event handed to a replica that died waits before it is handed out again. */
  HISTORY_ACK_WAIT_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Days of history kept; older day partitions are dropped. */
  HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Day partitions created ahead of today. */
  HISTORY_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(60).default(3),
  /** Keep telemetry too (opt-in: it is usually far more than the changes). */
  HISTORY_TELEMETRY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The outboxes whose watermarks make up history's own: a read as of T waits until all are past T. */
  HISTORY_SOURCES: z.string().regex(/^[a-z_]+(,[a-z_]+)*$/).default('twins,relationships'),
  /**
   * How long a read as of a moment past the watermark waits for it before failing with
   * HistoryIncomplete; keep it well below the gateway's NATS_REQUEST_TIMEOUT_MS (10 s).
   */
  HISTORY_ASOF_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** How often partitions, checkpoints and retention are looked after. */
  HISTORY_MAINTENANCE_MS: z.coerce.number().int().min(100).default(60_000),
  HISTORY_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
  /**
   * Postgres connections of the point reads (a twin, a relationship, a twin's relationships as of a
   * moment). Few: the reads are short, and fewer backends each woken more often cost Postgres less
   * CPU a read than many (docs/benchmarks.md, history).
   */
  HISTORY_READ_CONNECTIONS: z.coerce.number().int().min(1).max(200).default(4),
  /** asOf queries: the same settings as the query service's. */
  ...querySettingsShape,
});

export type HistoryConfig = z.infer<typeof historyConfigSchema>;
export const HISTORY_CONFIG = Symbol('HISTORY_CONFIG');
export const loadHistoryConfig = (env = process.env): HistoryConfig => loadConfig(historyConfigSchema, env);
