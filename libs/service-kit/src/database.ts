import { Client, type Pool } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { guardPool } from './pg-connections';

export interface ServiceDataSourceSpec {
  url: string;
  /** The service's own schema; its migrations table lives there too. */
  schema: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: MixedList<string | (new () => unknown)>;
  poolSize?: number;
  applicationName?: string;
}

/** One options object shared by the running service and the migration runner. */
export function serviceDataSourceOptions(spec: ServiceDataSourceSpec): DataSourceOptions {
  return {
    type: 'postgres',
    url: spec.url,
    schema: spec.schema,
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: spec.poolSize ?? 20,
    applicationName: spec.applicationName,
    extra: { statement_timeout: 60_000 },
  };
}

/** Creates the database named in `url` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  // A lost connection fails the query in flight, which is what reports it; the event must not crash.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } catch (err) {
        // Another process created it between our check and our CREATE.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/** Arbitrary but fixed: serialises concurrent migration runs against one database. */
const MIGRATION_LOCK_KEY = 7_426_310_917;

/**
 * Runs each service's pending migrations once, under a Postgres advisory lock so that two
 * starters (two replicas, or `npm start` twice) never migrate at the same time.
 */
export async function runMigrations(url: string, specs: DataSourceOptions[]): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url });
  lock.on('error', () => undefined);
  await lock.connect();
  const applied: string[] = [];
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    for (const options of specs) {
      const schema = (options as { schema?: string }).schema;
      if (schema) await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const ds = new DataSource(options);
      await ds.initialize();
      const pool = (ds.driver as unknown as { master?: Pool }).master;
      if (pool) guardPool(pool, `migrations:${schema}`, { warn: () => undefined });
      try {
        const ran = await ds.runMigrations({ transaction: 'each' });
        applied.push(...ran.map((m) => `${schema}:${m.name}`));
      } finally {
        await ds.destroy();
      }
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
  return applied;
}

/**
 * Readiness until the schema is current: the names of the service's migrations that its
 * `migrations` table does not list yet (all of them when the schema or table is missing). Read
 * only: a pod started before its migration Job finished stays unready instead of failing requests.
 */
export async function pendingMigrations(db: DataSource): Promise<string[]> {
  const schema = (db.options as { schema?: string }).schema ?? 'public';
  const expected = db.migrations.map((m) => m.name ?? m.constructor.name);
  const rows: { name: string }[] = await db
    .query(`SELECT name FROM "${schema}"."${db.options.migrationsTableName ?? 'migrations'}"`)
    .catch(() => []);
  const applied = new Set(rows.map((r) => r.name));
  return expected.filter((name) => !applied.has(name));
}
