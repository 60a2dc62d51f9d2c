import { z } from 'zod';

/** Settings every service shares; each service extends this schema with its own. */
export const baseConfigSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Prefix of every internal subject; empty for a dedicated NATS. */
  NATS_NAMESPACE: z.string().regex(/^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/).default(''),
  /** NATS credentials (any one scheme) and TLS; see docs/security.md. */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  /** A decentralised-auth `.creds` file (user JWT and NKey seed). */
  NATS_CREDS_FILE: z.string().min(1).optional(),
  /** A file holding an NKey user seed (`SU...`). */
  NATS_NKEY_SEED_FILE: z.string().min(1).optional(),
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
  NATS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  EVENTS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/).default('DT_EVENTS'),
  /** Replicas of the streams we create (events, dead letters, audit): 3 in a 3-node JetStream cluster. */
  EVENTS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  EVENTS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/).default('dt.events'),
  /** CloudEvents `source` of our events; ADT uses the instance host name. */
  EVENTS_SOURCE: z.string().min(1).default('localhost'),
  HOST: z.string().default('127.0.0.1'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** OpenTelemetry collector (OTLP/HTTP, e.g. `http://otel-collector:4318`); unset: spans are not exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Settings of the services that own tables. */
export const databaseConfigSchema = baseConfigSchema.extend({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/digitaltwins'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
});

/**
 * The query language's settings, the same wherever queries run: the query service (the present)
 * and the history service (`asOf` queries). Spread into a service's schema.
 */
export const querySettingsShape = {
  /** Signs continuation tokens; replicas must share it. Unset: a random key per process. */
  QUERY_TOKEN_SECRET: z.string().min(16).optional(),
  QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  QUERY_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
  QUERY_MAX_LENGTH: z.coerce.number().int().min(100).default(8000),
  QUERY_MAX_TERMS: z.coerce.number().int().min(1).default(50),
  QUERY_MAX_IN_ITEMS: z.coerce.number().int().min(1).default(50),
};

export class ConfigError extends Error {}

/**
 * Validates the environment once at boot. A bad value fails fast with a message naming the
 * variable; nothing else in a service reads `process.env`.
 */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return result.data;
}
