import type { Client, Pool, PoolClient } from 'pg';

/** Where a guarded connection reports a loss (a pino logger fits). */
export interface ConnectionLossLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const guarded = new WeakSet<object>();

/**
 * Makes a pg Pool survive the loss of any of its connections. pg emits `error` on a client whose
 * connection breaks (Postgres restarted or crashed, pg_terminate_backend, a failover, a proxy or
 * idle reaper); an `error` event with no listener is an uncaught exception, which ends the process.
 * pg-pool listens only on idle clients: a client checked out (inside a query or a transaction) has
 * no listener of its own. This gives every client of the pool one for its whole life, and the pool
 * one for idle clients. The query in flight still fails with the error, the pool drops the broken
 * client on release (it is no longer queryable) and opens a new one on demand: nothing else to do.
 */
export function guardPool(pool: Pool, name: string, log: ConnectionLossLog): Pool {
  if (guarded.has(pool)) return pool;
  guarded.add(pool);
  // A lost connection is reported by pg more than once (the server's FATAL message, then the socket's
  // end; to the client and, when idle, through the pool): one line per connection.
  const reported = new WeakSet<object>();
  const report = (err: Error, client?: object) => {
    if (client && reported.has(client)) return;
    if (client) reported.add(client);
    log.warn({ pool: name, error: connectionErrorDetails(err) }, 'Postgres connection lost; the pool replaces it');
  };
  pool.on('error', (err, client) => report(err, client));
  const guardClient = (client: PoolClient) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', (err) => report(err, client));
  };
  // `connect`: each new client; `acquire`: each checkout, which also covers clients made before this call.
  pool.on('connect', guardClient);
  pool.on('acquire', guardClient);
  return pool;
}

/**
 * For a single long-lived pg Client (a LISTEN connection, a lock or lease holder): calls `onLost`
 * once, on the first `error` or unexpected `end`, so the owner can drop it and connect again.
 * Later errors of the dead client are absorbed.
 */
export function guardClient(client: Client, onLost: (err?: Error) => void): Client {
  let lost = false;
  const lose = (err?: Error) => {
    if (lost) return;
    lost = true;
    onLost(err);
  };
  client.on('error', (err) => lose(err));
  client.on('end', () => lose());
  return client;
}

/** An error for a log line: pg attaches the whole client to pool errors (`err.client`), which is no log material. */
export function connectionErrorDetails(err: unknown): Record<string, unknown> {
  const e = err as { message?: string; code?: string; severity?: string };
  return { message: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}), ...(e?.severity ? { severity: e.severity } : {}) };
}
