/** The Postgres types a parameter is cast to where it is used. */
export type SqlType = 'text' | 'text[]' | 'jsonb' | 'jsonb[]' | 'numeric' | 'numeric[]' | 'boolean' | 'boolean[]' | 'integer' | 'bigint' | 'timestamptz';

/**
 * The `$n` parameters of one statement. Everything that came from the query text (literals,
 * property names, relationship names, model ids, output names, counts) goes through here, so the
 * SQL text depends on the query's shape only.
 */
export class SqlParameters {
  readonly values: unknown[] = [];

  /** Adds a value and returns its typed placeholder, e.g. `$3::text`. */
  add(value: unknown, type: SqlType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }

  /** JSON values travel as their JSON text (node-postgres would turn arrays into Postgres arrays). */
  addJson(value: unknown): string {
    return this.add(JSON.stringify(value), 'jsonb');
  }
}
