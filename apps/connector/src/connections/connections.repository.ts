import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Connection, ConnectionDeadLetter, ConnectionEnvelope, ConnectionSource } from '@odt/contracts';
import type { DataSource } from 'typeorm';

interface ConnectionRow {
  name: string;
  source: ConnectionSource;
  mapping: string;
  enabled: boolean;
  has_secret: boolean;
  version: number;
}

/** A connection as its runner needs it: with its secret and version. */
export interface RunnableConnection {
  connection: Connection;
  secret?: string;
  version: number;
}

const columns = 'name, source, mapping, enabled, secret IS NOT NULL AS has_secret, version';
const toConnection = (r: ConnectionRow): Connection => ({ name: r.name, source: r.source, mapping: r.mapping, enabled: r.enabled, ...(r.has_secret ? { hasSecret: true } : {}) });

/** The connector schema: connections and their dead letters. */
@Injectable()
export class ConnectionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stores a connection; an omitted secret keeps the one already set (secrets are write-only). */
  async put(c: Connection, secret: string | undefined): Promise<Connection> {
    const rows: ConnectionRow[] = await this.db.query(
      `INSERT INTO connector.connections (name, source_type, source, secret, mapping, enabled) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name) DO UPDATE SET source_type = $2, source = $3, secret = COALESCE($4, connector.connections.secret), mapping = $5, enabled = $6,
         version = connector.connections.version + 1, updated_at = clock_timestamp()
       RETURNING ${columns}`,
      [c.name, c.source.type, JSON.stringify(c.source), secret ?? null, c.mapping, c.enabled],
    );
    return toConnection(rows[0]);
  }

  async get(name: string): Promise<Connection | undefined> {
    const rows: ConnectionRow[] = await this.db.query(`SELECT ${columns} FROM connector.connections WHERE name = $1`, [name]);
    return rows[0] && toConnection(rows[0]);
  }

  async list(after: string | undefined, limit: number): Promise<Connection[]> {
    const rows: ConnectionRow[] = await this.db.query(
      `SELECT ${columns} FROM connector.connections WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`, [after ?? null, limit]);
    return rows.map(toConnection);
  }

  async delete(name: string): Promise<boolean> {
    // A CTE: TypeORM answers a bare DELETE with [rows, count], a SELECT with its rows.
    const rows: { n: number }[] = await this.db.query(`WITH gone AS (DELETE FROM connector.connections WHERE name = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`, [name]);
    return rows[0].n > 0;
  }

  /** Every connection, with its secret, for the runners. */
  async runnable(): Promise<RunnableConnection[]> {
    const rows: (ConnectionRow & { secret: string | null })[] = await this.db.query(`SELECT ${columns}, secret FROM connector.connections ORDER BY name`);
    return rows.map((r) => ({ connection: toConnection(r), secret: r.secret ?? undefined, version: r.version }));
  }

  async addDeadLetter(connection: string, d: { stage: ConnectionDeadLetter['stage']; code: string; reason: string; position?: number; envelope: ConnectionEnvelope }): Promise<void> {
    await this.db.query(
      `INSERT INTO connector.dead_letters (connection, stage, code, reason, position, envelope) VALUES ($1, $2, $3, $4, $5, $6)`,
      [connection, d.stage, d.code, d.reason.slice(0, 2000), d.position ?? null, JSON.stringify(d.envelope)],
    );
  }

  async deadLetters(connection: string, limit: number): Promise<ConnectionDeadLetter[]> {
    const rows: { id: string; stage: ConnectionDeadLetter['stage']; code: string; reason: string; position: number | null; attempts: number; first_seen: Date; last_seen: Date; envelope: ConnectionEnvelope }[] =
      await this.db.query(
        `SELECT id, stage, code, reason, position, attempts, first_seen, last_seen, envelope FROM connector.dead_letters WHERE connection = $1 ORDER BY id LIMIT $2`,
        [connection, limit],
      );
    return rows.map((r) => ({
      id: Number(r.id), stage: r.stage, code: r.code, reason: r.reason, ...(r.position === null ? {} : { position: r.position }),
      attempts: r.attempts, firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString(), message: r.envelope,
    }));
  }

  async deadLetterFailedAgain(id: number, d: { stage: string; code: string; reason: string; position?: number }): Promise<void> {
    await this.db.query(
      `UPDATE connector.dead_letters SET stage = $2, code = $3, reason = $4, position = $5, attempts = attempts + 1, last_seen = clock_timestamp() WHERE id = $1`,
      [id, d.stage, d.code, d.reason.slice(0, 2000), d.position ?? null],
    );
  }

  async removeDeadLetter(id: number): Promise<void> {
    await this.db.query(`DELETE FROM connector.dead_letters WHERE id = $1`, [id]);
  }

  async countDeadLetters(connection: string): Promise<number> {
    const rows: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM connector.dead_letters WHERE connection = $1`, [connection]);
    return rows[0].n;
  }
}
