import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Endpoint, EventRoute } from '@odt/contracts';
import type { DataSource } from 'typeorm';

interface EndpointRow {
  name: string;
  settings: Omit<Endpoint, 'name' | 'hasSecret'>;
  has_secret: boolean;
}

const toEndpoint = (r: EndpointRow): Endpoint => ({ name: r.name, ...r.settings, ...(r.has_secret ? { hasSecret: true } : {}) });

/** The routing schema: endpoints and routes; every statement parameterised. */
@Injectable()
export class RoutingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stores an endpoint; an omitted secret keeps the one already set (secrets are write-only). */
  async putEndpoint(endpoint: Endpoint, secret: string | undefined): Promise<Endpoint> {
    const { name, ...settings } = endpoint;
    const rows: EndpointRow[] = await this.db.query(
      `INSERT INTO routing.endpoints (name, endpoint_type, settings, secret) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET endpoint_type = $2, settings = $3, secret = COALESCE($4, routing.endpoints.secret), updated_at = clock_timestamp()
       RETURNING name, settings, secret IS NOT NULL AS has_secret`,
      [name, endpoint.endpointType, JSON.stringify(settings), secret ?? null],
    );
    return toEndpoint(rows[0]);
  }

  async endpoint(name: string): Promise<Endpoint | undefined> {
    const rows: EndpointRow[] = await this.db.query(`SELECT name, settings, secret IS NOT NULL AS has_secret FROM routing.endpoints WHERE name = $1`, [name]);
    return rows[0] && toEndpoint(rows[0]);
  }

  async endpoints(after: string | undefined, limit: number): Promise<Endpoint[]> {
    const rows: EndpointRow[] = await this.db.query(
      `SELECT name, settings, secret IS NOT NULL AS has_secret FROM routing.endpoints WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`,
      [after ?? null, limit],
    );
    return rows.map(toEndpoint);
  }

  /** Routes still pointing at the endpoint block its deletion (a foreign key, so no race either). */
  async deleteEndpoint(name: string): Promise<'deleted' | 'missing' | string[]> {
    const users: { id: string }[] = await this.db.query(`SELECT id FROM routing.routes WHERE endpoint_name = $1 ORDER BY id`, [name]);
    if (users.length > 0) return users.map((u) => u.id);
    const [, count] = (await this.db.query(`DELETE FROM routing.endpoints WHERE name = $1`, [name])) as [unknown, number];
    return count > 0 ? 'deleted' : 'missing';
  }

  /** Every endpoint with at least one route, with those routes' filters and its secret (for delivery only). */
  async routedEndpoints(): Promise<{ endpoint: Endpoint; secret?: string; filters: string[] }[]> {
    const rows: (EndpointRow & { secret: string | null; filters: string[] })[] = await this.db.query(
      `SELECT e.name, e.settings, e.secret, e.secret IS NOT NULL AS has_secret, array_agg(r.filter ORDER BY r.id) AS filters
       FROM routing.endpoints e JOIN routing.routes r ON r.endpoint_name = e.name GROUP BY e.name`,
    );
    return rows.map((r) => ({ endpoint: toEndpoint(r), secret: r.secret ?? undefined, filters: r.filters }));
  }

  /** One endpoint with its secret, for delivery only. */
  async deliveryTarget(name: string): Promise<{ endpoint: Endpoint; secret?: string } | undefined> {
    const rows: (EndpointRow & { secret: string | null })[] = await this.db.query(
      `SELECT name, settings, secret, secret IS NOT NULL AS has_secret FROM routing.endpoints WHERE name = $1`, [name]);
    return rows[0] && { endpoint: toEndpoint(rows[0]), secret: rows[0].secret ?? undefined };
  }

  async putRoute(route: EventRoute): Promise<void> {
    await this.db.query(
      `INSERT INTO routing.routes (id, endpoint_name, filter) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET endpoint_name = $2, filter = $3, updated_at = clock_timestamp()`,
      [route.id, route.endpointName, route.filter],
    );
  }

  async route(id: string): Promise<EventRoute | undefined> {
    const rows: EventRoute[] = await this.db.query(`SELECT id, endpoint_name AS "endpointName", filter FROM routing.routes WHERE id = $1`, [id]);
    return rows[0];
  }

  async routes(after: string | undefined, limit: number): Promise<EventRoute[]> {
    return this.db.query(
      `SELECT id, endpoint_name AS "endpointName", filter FROM routing.routes WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [after ?? null, limit],
    );
  }

  async deleteRoute(id: string): Promise<boolean> {
    const [, count] = (await this.db.query(`DELETE FROM routing.routes WHERE id = $1`, [id])) as [unknown, number];
    return count > 0;
  }
}
