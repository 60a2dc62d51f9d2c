import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './processes';

/** Where the Postgres server binaries are: TEST_PG_BIN, else `pg_config --bindir` (Debian's and Homebrew's layouts). */
function pgBin(): string {
  return process.env.TEST_PG_BIN ?? execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}
/** The OS user the server runs as: Postgres refuses to run as root. */
const PG_OS_USER = process.env.TEST_PG_OS_USER ?? 'postgres';

/** A Postgres cluster of the caller's own (trust auth, user `postgres`), which it may stop and start again. */
export interface PrivatePostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database: string): string;
  /** Stops the server; `immediate` is a crash (no checkpoint, WAL replay at the next start). */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
}

/**
 * `initdb` into a temporary directory owned by the `postgres` OS user and `pg_ctl start` on a free
 * port, for a test that restarts Postgres (the shared server on 5432 must stay up for other tests).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odt-pg-'));
  const data = path.join(dir, 'data');
  const uid = Number(execFileSync('id', ['-u', PG_OS_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', PG_OS_USER]).toString().trim());
  chownSync(dir, uid, gid);
  const command = (bin: string, args: string[]) => ['-u', PG_OS_USER, '--', path.join(pgBin(), bin), ...args];
  // Asynchronous, so that a load running in this process goes on while the server stops and starts.
  const asPostgres = (bin: string, args: string[]) => new Promise<void>((resolve, reject) => {
    execFile('runuser', command(bin, args), (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
      else resolve();
    });
  });
  // fsync and full-page writes off: only the server process is killed here, never the machine, so
  // what it wrote survives in the OS cache.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c full_page_writes=off`;
  let running = false;
  const stopNow = async (mode: string) => {
    if (!running) return;
    running = false;
    await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  };
  // Should the caller exit without disposing of it, the server must not outlive it.
  const onExit = () => {
    if (running) spawnSync('runuser', command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const server: PrivatePostgres = {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: (mode = 'immediate') => stopNow(mode),
    async start() {
      running = true;
      await asPostgres('pg_ctl', ['-D', data, '-o', serverOptions, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const client = new Client({ connectionString: server.url('postgres'), connectionTimeoutMillis: 1000 });
        try {
          await client.connect();
          await client.query('SELECT 1');
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`private Postgres on ${port} did not start: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        } finally {
          await client.end().catch(() => undefined);
        }
      }
    },
    async dispose() {
      try {
        await stopNow('immediate');
      } finally {
        process.removeListener('exit', onExit);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await server.start();
  } catch (err) {
    await server.dispose().catch(() => undefined);
    throw err;
  }
  return server;
}
