import { databaseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

export const connectorConfigSchema = databaseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8108),
  /** Where sources append what they receive before it is mapped; default `<EVENTS_STREAM>_INGEST`. */
  INGEST_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** Messages waiting in the ingest stream, all connections together; past it sources are refused (backpressure). */
  INGEST_MAX_MESSAGES: z.coerce.number().int().min(100).default(1_000_000),
  /** Largest message a source may hand in (bytes of its JSON envelope). */
  INGEST_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024).default(256 * 1024),
  /** Per connection: messages mapped and written in one twins-service call (and at most this many in memory). */
  CONNECTION_BATCH_SIZE: z.coerce.number().int().min(1).max(2000).default(500),
  /** Per connection: messages received from the ingest stream and not yet acknowledged. */
  CONNECTION_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** AMQP sources: the consumer's prefetch. */
  AMQP_PREFETCH: z.coerce.number().int().min(1).max(2000).default(200),
  /** MQTT sources: how long the broker keeps a replica's session (and its QoS 1 messages) after it goes away. */
  MQTT_SESSION_EXPIRY_S: z.coerce.number().int().min(1).default(300),
  /** How often a replica looks for connections to take (and for changed ones). */
  CONNECTION_REFRESH_MS: z.coerce.number().int().min(50).default(1000),
  /** JSONata guardrails per message. */
  MAPPING_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(200),
  MAPPING_MAX_OPERATIONS: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** `POST /connections/{name}/messages`: most messages per request. */
  HTTP_MAX_MESSAGES: z.coerce.number().int().min(1).max(10_000).default(1000),
  CONNECTIONS_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(1000),
});

export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;
export const CONNECTOR_CONFIG = Symbol('CONNECTOR_CONFIG');
export const loadConnectorConfig = (env = process.env): ConnectorConfig => loadConfig(connectorConfigSchema, env);
