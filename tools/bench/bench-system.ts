import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { runMigrations } from '@odt/service-kit';
import { Client } from 'pg';
import { allDataSourceOptions } from '../migrations';
import { spawnService, waitForReady, type ServiceName } from '../services';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export interface BenchSystem {
  databaseUrl: string;
  gatewayUrl: string;
  stream: string;
  /** The events' subject prefix (the stream captures `<prefix>.>`). */
  subjectPrefix: string;
  /** What every service of this system runs with: database, NATS namespace, stream, prefix. */
  env: Record<string, string>;
  /** Each service's process id (for its memory, say). */
  pids: Partial<Record<ServiceName, number>>;
  stop(): Promise<void>;
}

/**
 * The services as separate processes (the deployed shape), on a fresh database, NATS namespace
 * and stream, so that a benchmark never touches anything else on the machine.
 */
export async function startBenchSystem(services: ServiceName[], extraEnv: Record<string, string> = {}, beforeStart?: (databaseUrl: string) => Promise<void>): Promise<BenchSystem> {
  const id = `b${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/odt_bench_${id}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl, allDataSourceOptions(databaseUrl));
  await beforeStart?.(databaseUrl);
  const stream = `BENCH_${id}`;
  const subjectPrefix = `bench.${id}`;
  const env = { DATABASE_URL: databaseUrl, NATS_URL, NATS_NAMESPACE: id, EVENTS_STREAM: stream, EVENTS_SUBJECT_PREFIX: subjectPrefix };
  const basePort = 18000 + Math.floor(Math.random() * 1000) * 10;
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  for (const [i, name] of services.entries()) {
    const port = basePort + i;
    ports.push(port);
    children.push(spawnService(name, {
      ...env,
      PORT: String(port), LOG_LEVEL: 'warn', ODT_SUPERVISOR_PID: String(process.pid),
      // The engine is measured, not the per-caller limit (every bench client is one loopback caller).
      RATE_LIMIT_PER_CALLER: '0', RATE_LIMIT_GLOBAL: '0',
      ...extraEnv,
    }));
  }
  await Promise.all(ports.map((p) => waitForReady(p)));
  return {
    databaseUrl,
    gatewayUrl: `http://127.0.0.1:${ports[services.indexOf('gateway')]}`,
    stream,
    subjectPrefix,
    env,
    pids: Object.fromEntries(services.map((name, i) => [name, children[i].pid])),
    async stop() {
      await Promise.all(children.map((c) => new Promise((resolve) => {
        if (c.exitCode !== null) return resolve(null);
        c.once('exit', resolve);
        c.kill('SIGTERM');
      })));
      const admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "odt_bench_${id}" WITH (FORCE)`);
      await admin.end();
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await (await jetstreamManager(nc)).streams.delete(`KV_${stream}_WATERMARKS`).catch(() => undefined);
      await nc.close();
    },
  };
}
