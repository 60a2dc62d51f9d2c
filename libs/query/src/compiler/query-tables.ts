/** Where the compiled SQL reads twins and relationships (schema-qualified table names). */
export interface QueryTables {
  twins: string;
  relationships: string;
}

export const DEFAULT_QUERY_TABLES: Readonly<QueryTables> = Object.freeze({
  twins: 'twins.twins',
  relationships: 'relationships.relationships',
});

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Table names are deployment configuration, never user input; still, they must be plain names. */
export function queryTables(overrides: Partial<QueryTables> = {}): QueryTables {
  const tables = { ...DEFAULT_QUERY_TABLES, ...overrides };
  for (const name of [tables.twins, tables.relationships]) {
    if (!TABLE_NAME.test(name)) throw new TypeError(`Not a plain [schema.]table name: ${JSON.stringify(name)}`);
  }
  return tables;
}
