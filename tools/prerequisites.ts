import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsConnectionOptions, type NatsSettings } from '@odt/messaging';
import { Client } from 'pg';

/**
 * What `npm start` needs running before it migrates: Postgres 15+ and NATS 2.9+ with JetStream.
 * Each check names what is missing, where it looked, and the line that fixes it, instead of a
 * stack trace from deep inside a driver.
 */
export interface Missing {
  what: string;
  /** Where it looked, and what it found there. */
  detail: string;
  /** Lines that fix it, one per platform or setting. */
  fixes: string[];
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/digitaltwins';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const MIN_POSTGRES = 15;
const MIN_NATS: [number, number] = [2, 9];
const TIMEOUT_MS = 3000;

/** The URL for a Postgres whose `postgres` user has the password `postgres` (Debian after the line below, Docker Compose). */
const WITH_PASSWORD = 'DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/digitaltwins npm start';
const START_POSTGRES = [
  `Debian 12 / Ubuntu 24.04: sudo apt install postgresql && sudo -u postgres psql -c "ALTER USER postgres PASSWORD 'postgres'", then ${WITH_PASSWORD}`,
  'macOS (Homebrew):        brew install postgresql@16 && brew services start postgresql@16 && createuser -s postgres',
  `Docker:                  docker compose up -d postgres nats (from this repository), then ${WITH_PASSWORD}`,
];
const START_NATS = [
  "Debian 12 / Ubuntu 24.04: sudo apt install nats-server && echo 'jetstream { store_dir: /var/lib/nats-server }' | sudo tee -a /etc/nats-server.conf && sudo install -d -o nats -g nats /var/lib/nats-server && sudo systemctl restart nats-server",
  'macOS (Homebrew):        brew install nats-server && nats-server -js -sd .local/nats &',
  'Docker:                  docker compose up -d postgres nats   (from this repository)',
];

/** The URL without its password, for messages. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function source(variable: string, value: string | undefined, fallback: string): string {
  return value ? `${variable}=${shown(value)}` : `${variable} is not set, so the default ${fallback}`;
}

/** Postgres: reachable, the user let in, version 15 or later (checked on the `postgres` database: ours is created on first start). */
export async function checkPostgres(env: NodeJS.ProcessEnv = process.env): Promise<Missing | undefined> {
  const url = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const where = source('DATABASE_URL', env.DATABASE_URL, DEFAULT_DATABASE_URL);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { what: 'DATABASE_URL is not a URL', detail: where, fixes: [`e.g. DATABASE_URL=${DEFAULT_DATABASE_URL} npm start`] };
  }
  const admin = new URL(target.toString());
  admin.pathname = '/postgres';
  const host = `${target.hostname}:${target.port || 5432}`;
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    if (code === '28P01' || code === '28000') {
      return {
        what: `Postgres at ${host} refused user "${decodeURIComponent(target.username) || '(none)'}"`,
        detail: `${where}: ${message}`,
        fixes: [
          'Give DATABASE_URL a user and password it accepts: DATABASE_URL=postgres://postgres:<password>@127.0.0.1:5432/digitaltwins npm start',
          `With the Docker Compose Postgres (or Debian's, after the ALTER USER line in README.md): ${WITH_PASSWORD}`,
        ],
      };
    }
    return {
      what: `Postgres is not reachable at ${host}`,
      detail: `${where}: ${message || code}`,
      fixes: [`Start Postgres ${MIN_POSTGRES} or later:`, ...START_POSTGRES.map((l) => `  ${l}`), 'or point DATABASE_URL at yours: DATABASE_URL=postgres://<user>:<password>@<host>:5432/digitaltwins npm start'],
    };
  }
  try {
    const { rows } = await client.query<{ v: string; text: string }>("SELECT current_setting('server_version_num') AS v, current_setting('server_version') AS text");
    const major = Math.floor(Number(rows[0].v) / 10_000);
    if (major < MIN_POSTGRES) {
      return {
        what: `Postgres ${rows[0].text} at ${host} is too old (${MIN_POSTGRES} or later is needed)`,
        detail: where,
        fixes: [`Upgrade it, or start a newer one and point DATABASE_URL at it:`, ...START_POSTGRES.map((l) => `  ${l}`)],
      };
    }
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** NATS: reachable with the configured credentials, 2.9 or later, JetStream enabled. */
export async function checkNats(env: NodeJS.ProcessEnv = process.env): Promise<Missing | undefined> {
  const settings = { ...env, NATS_URL: env.NATS_URL ?? DEFAULT_NATS_URL } as unknown as NatsSettings;
  const where = source('NATS_URL', env.NATS_URL, DEFAULT_NATS_URL);
  let nc;
  try {
    nc = await connect({ ...natsConnectionOptions(settings, 'npm-start-check'), timeout: TIMEOUT_MS, reconnect: false, maxReconnectAttempts: 0 });
  } catch (err) {
    const message = (err as Error).message;
    if (/auth|authorization|permission/i.test(message)) {
      return {
        what: `NATS at ${settings.NATS_URL} refused the credentials`,
        detail: `${where}: ${message}`,
        fixes: ['Set the credentials it expects: NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE or NATS_NKEY_SEED_FILE (docs/configuration.md)'],
      };
    }
    return {
      what: `NATS is not reachable at ${settings.NATS_URL}`,
      detail: `${where}: ${message}`,
      fixes: [`Start NATS ${MIN_NATS.join('.')} or later with JetStream:`, ...START_NATS.map((l) => `  ${l}`), 'or point NATS_URL at yours: NATS_URL=nats://<host>:4222 npm start'],
    };
  }
  try {
    const version = nc.info?.version ?? '0.0.0';
    const [major, minor] = version.split('.').map(Number);
    if (major < MIN_NATS[0] || (major === MIN_NATS[0] && minor < MIN_NATS[1])) {
      return {
        what: `NATS ${version} at ${settings.NATS_URL} is too old (${MIN_NATS.join('.')} or later is needed)`,
        detail: where,
        fixes: ['Upgrade it:', ...START_NATS.map((l) => `  ${l}`)],
      };
    }
    try {
      await jetstreamManager(nc, { timeout: TIMEOUT_MS });
    } catch (err) {
      return {
        what: `NATS ${version} at ${settings.NATS_URL} runs without JetStream`,
        detail: `${where}: ${(err as Error).message}`,
        fixes: [
          'Start it with JetStream: nats-server -js -sd <a data folder>',
          "or, with a config file, add a line: jetstream { store_dir: <a data folder> }  (Debian/Ubuntu: echo 'jetstream { store_dir: /var/lib/nats-server }' | sudo tee -a /etc/nats-server.conf && sudo install -d -o nats -g nats /var/lib/nats-server && sudo systemctl restart nats-server)",
        ],
      };
    }
    return undefined;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** Both checks, side by side; the text `npm start` prints for whatever is missing (empty: nothing). */
export async function missingPrerequisites(env: NodeJS.ProcessEnv = process.env): Promise<Missing[]> {
  const found = await Promise.all([checkPostgres(env), checkNats(env)]);
  return found.filter((m): m is Missing => m !== undefined);
}

export function explain(missing: Missing[]): string {
  return missing
    .map((m) => [`npm start: ${m.what}.`, `  Looked at: ${m.detail}`, '  To fix it:', ...m.fixes.map((f) => `    ${f}`)].join('\n'))
    .concat(missing.length > 0 ? ['Prerequisites: README.md ("Prerequisites"); every setting: docs/configuration.md.'] : [])
    .join('\n\n');
}
