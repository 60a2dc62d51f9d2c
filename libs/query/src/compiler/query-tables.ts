/** Where the compiled SQL reads twins and relationships (schema-qualified table names). */
export interface QueryTables {
  twins: string;
  relationships: string;
  /**
   * The exact number of twins, kept by the twins service's triggers (rows `n`, summed): what
   * `SELECT COUNT() FROM DIGITALTWINS` with nothing else reads. Empty: count the twins table.
   */
  twinCount: string;
}

export const DEFAULT_QUERY_TABLES: Readonly<QueryTables> = Object.freeze({
  twins: 'twins.twins',
  relationships: 'relationships.relationships',
  twinCount: 'twins.twin_count',
});

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Table names are deployment configuration, never user input; still, they must be plain names. */
export function queryTables(overrides: Partial<QueryTables> = {}): QueryTables {
  const tables = { ...DEFAULT_QUERY_TABLES, ...overrides };
  for (const name of [tables.twins, tables.relationships, ...(tables.twinCount ? [tables.twinCount] : [])]) {
    if (!TABLE_NAME.test(name)) throw new TypeError(`Not a plain [schema.]table name: ${JSON.stringify(name)}`);
  }
  return tables;
}
