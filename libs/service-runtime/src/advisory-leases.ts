import { Client } from 'pg';
import type { Logger } from 'pino';

/**
 * Which keys (the event router's endpoints, the connector's connections) this replica works on.
 * Each key is owned by one replica at a time through a Postgres session advisory lock, held on one
 * connection per replica: a crashed replica's locks die with its connection, so another replica
 * takes its keys over within a refresh. Replicas count each other by that connection's
 * `application_name` (`<owner>:<namespace>`), so each can take its fair share.
 */
export class AdvisoryLeases {
  private client?: Client;
  private readonly held = new Set<string>();
  private readonly applicationName: string;

  /** `onLost`: the lock connection failed, so every lease is gone; called once per loss. */
  constructor(
    private readonly databaseUrl: string,
    owner: string,
    private readonly namespace: string,
    private readonly logger: Logger,
    private readonly onLost: () => void,
  ) {
    // Postgres keeps the first 63 bytes of an application name.
    this.applicationName = `${owner}:${namespace}`.slice(0, 63);
  }

  get owned(): ReadonlySet<string> {
    return this.held;
  }

  /** How many replicas hold a lease connection now, this one included (at least 1). */
  async replicas(): Promise<number> {
    const client = await this.connected();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [this.applicationName]);
    return Math.max(1, rows[0].n);
  }

  async tryAcquire(key: string): Promise<boolean> {
    if (this.held.has(key)) return true;
    const client = await this.connected();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked', [this.namespace, key]);
    if (rows[0].locked) this.held.add(key);
    return rows[0].locked;
  }

  async release(key: string): Promise<void> {
    if (!this.held.delete(key) || !this.client) return;
    await this.client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [this.namespace, key]).catch(() => undefined);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    await client?.end().catch(() => undefined);
  }

  private async connected(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    this.client = client;
    return client;
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.logger.warn({ err: err?.message, owner: this.applicationName, keys: [...this.held] }, 'lease connection lost; stopping work until the leases are taken again');
    this.held.clear();
    client.end().catch(() => undefined);
    this.onLost();
  }
}
