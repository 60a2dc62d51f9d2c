import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { runMigrations } from '@odt/service-kit';
import { Client } from 'pg';
import { watermarkBucket } from '@odt/contracts';
import { loadConnectorConfig } from '../../apps/connector/src/config';
import { startConnector } from '../../apps/connector/src/main';
import { loadRouterConfig } from '../../apps/event-router/src/config';
import { startEventRouter } from '../../apps/event-router/src/main';
import { loadGatewayConfig } from '../../apps/gateway/src/config';
import { GatewayListeners } from '../../apps/gateway/src/http/listeners';
import { startGateway } from '../../apps/gateway/src/main';
import { loadModelsConfig } from '../../apps/models-service/src/config';
import { startModelsService } from '../../apps/models-service/src/main';
import { loadRelationshipsConfig } from '../../apps/relationships-service/src/config';
import { startRelationshipsService } from '../../apps/relationships-service/src/main';
import { loadHistoryConfig } from '../../apps/history-service/src/config';
import { startHistoryService } from '../../apps/history-service/src/main';
import { loadJobsConfig } from '../../apps/jobs-service/src/config';
import { startJobsService } from '../../apps/jobs-service/src/main';
import { loadQueryConfig } from '../../apps/query-service/src/config';
import { startQueryService } from '../../apps/query-service/src/main';
import { loadTwinsConfig } from '../../apps/twins-service/src/config';
import { startTwinsService } from '../../apps/twins-service/src/main';
import { ensureDevTls } from '../../tools/dev-tls';
import { allDataSourceOptions } from '../../tools/migrations';

export const PG_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Isolation of one test file: its own database, NATS subject namespace and JetStream stream. */
export interface TestIsolation {
  id: string;
  databaseUrl: string;
  env: Record<string, string>;
  stream: string;
  subjectPrefix: string;
}

export function newIsolation(): TestIsolation {
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/odt_test_${id}`;
  const stream = `EV_${id}`;
  const subjectPrefix = `ev.${id}`;
  return {
    id,
    databaseUrl: url.toString(),
    stream,
    subjectPrefix,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: '10',
      NATS_URL,
      NATS_NAMESPACE: id,
      EVENTS_STREAM: stream,
      EVENTS_SUBJECT_PREFIX: subjectPrefix,
      PORT: '0',
      OUTBOX_POLL_MS: '200',
      // The outboxes keep their published rows (marked): many tests compare what committed (the
      // outbox) with what the stream got. outbox-relay.int-spec and outbox-default.e2e-spec run the
      // default, which deletes a row once published.
      OUTBOX_KEEP_PUBLISHED_MS: '3600000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      // Tests are one loopback caller sending as fast as they can; security-attacks tests the limits.
      RATE_LIMIT_PER_CALLER: '0',
      RATE_LIMIT_GLOBAL: '0',
    },
  };
}

export async function migrate(iso: TestIsolation): Promise<void> {
  await runMigrations(iso.databaseUrl, allDataSourceOptions(iso.databaseUrl));
}

/** Drops the test database and streams (on the NATS server the system used, by default the shared one). */
export async function cleanup(iso: TestIsolation, natsUrl = iso.env.NATS_URL): Promise<void> {
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "odt_test_${iso.id}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(iso.stream).catch(() => undefined);
    for (const extra of [`${iso.stream}_DEADLETTER`, `${iso.stream}_AUDIT`, `${iso.stream}_INGEST`, `KV_${iso.stream}_TICKETS`]) await jsm.streams.delete(extra).catch(() => undefined);
    await jsm.streams.delete(`KV_${watermarkBucket(iso.stream)}`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export interface TestSystem {
  iso: TestIsolation;
  /** The environment the services were started with (the isolation's, plus `overrides`). */
  env: Record<string, string>;
  gatewayUrl: string;
  /** With `https: true`: the gateway's HTTPS listener and the development CA that signed its certificate. */
  httpsUrl?: string;
  caFile?: string;
  apps: Record<string, INestApplication>;
  stop(): Promise<void>;
}

type Starter = 'models' | 'twins' | 'relationships' | 'router' | 'query' | 'history' | 'connector' | 'jobs' | 'gateway';

/**
 * Runs the services in this process against the real Postgres and NATS, each on a free port,
 * isolated from other test files. `overrides` sets extra environment per run.
 */
export async function startSystem(options: { without?: Starter[]; overrides?: Record<string, string>; twinsReplicas?: number; https?: boolean } = {}): Promise<TestSystem> {
  const iso = newIsolation();
  await migrate(iso);
  // As `npm start` does: a development CA and certificate, and an HTTPS listener beside the HTTP one.
  const tlsDir = path.join(os.tmpdir(), `odt-tls-${iso.id}`);
  const tls = options.https ? await ensureDevTls(tlsDir) : undefined;
  const env: Record<string, string> = { ...iso.env, ...(tls ? { HTTPS_PORT: '0', TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile } : {}), ...options.overrides };
  const skip = new Set(options.without ?? []);
  const apps: Record<string, INestApplication> = {};
  if (!skip.has('models')) apps.models = await startModelsService(loadModelsConfig(env), false);
  if (!skip.has('twins')) apps.twins = await startTwinsService(loadTwinsConfig(env), false);
  // Further replicas share the NATS queue group (and the outbox relay's leader lock) with the first.
  for (let i = 2; i <= (options.twinsReplicas ?? 1); i++) apps[`twins${i}`] = await startTwinsService(loadTwinsConfig(env), false);
  if (!skip.has('relationships')) apps.relationships = await startRelationshipsService(loadRelationshipsConfig(env), false);
  if (!skip.has('router')) apps.router = await startEventRouter(loadRouterConfig(env), false);
  if (!skip.has('query')) apps.query = await startQueryService(loadQueryConfig(env), false);
  if (!skip.has('history')) apps.history = await startHistoryService(loadHistoryConfig(env), false);
  if (!skip.has('connector')) apps.connector = await startConnector(loadConnectorConfig(env), false);
  if (!skip.has('jobs')) apps.jobs = await startJobsService(loadJobsConfig(env), false);
  apps.gateway = await startGateway(loadGatewayConfig(env), false);
  const gatewayUrl = (await apps.gateway.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    iso,
    env,
    gatewayUrl,
    ...(tls ? { httpsUrl: apps.gateway.get(GatewayListeners).httpsUrl(), caFile: tls.caFile } : {}),
    apps,
    async stop() {
      const order = ['gateway', 'connector', 'jobs', 'history', 'query', 'router', 'relationships', ...Object.keys(apps).filter((n) => n.startsWith('twins')), 'models'];
      for (const name of order) await apps[name]?.close();
      await cleanup(iso, env.NATS_URL);
      if (tls) rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

export async function natsConnection(url = NATS_URL): Promise<NatsConnection> {
  return connect({ servers: url });
}
