/** Where the compiled SQL reads twins and relationships (schema-qualified table names). */
export interface QueryTables {
  twins: string;
  relationships: string;
  /**
   * The exact number of twins, kept by the twins service's triggers (rows `n`, summed): what
   * `SELECT COUNT() FROM DIGITALTWINS` with nothing else reads. Empty: count the twins table.
   */
  twinCount: string;
  /**
   * The property index kept by the twins service's triggers (a typed row per property path of each
   * twin), which property filters read instead of every twin's document. Empty: no index.
   */
  twinProperties: string;
}

export const DEFAULT_QUERY_TABLES: Readonly<QueryTables> = Object.freeze({
  twins: 'twins.twins',
  relationships: 'relationships.relationships',
  twinCount: 'twins.twin_count',
  twinProperties: 'twins.twin_properties',
});

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Table names are deployment configuration, never user input; still, they must be plain names. */
export function queryTables(overrides: Partial<QueryTables> = {}): QueryTables {
  const tables = { ...DEFAULT_QUERY_TABLES, ...overrides };
  for (const name of [tables.twins, tables.relationships, ...[tables.twinCount, tables.twinProperties].filter(Boolean)]) {
    if (!TABLE_NAME.test(name)) throw new TypeError(`Not a plain [schema.]table name: ${JSON.stringify(name)}`);
  }
  return tables;
}

/**
 * Where an `asOf` query reads: set-returning functions of one `timestamptz` argument that give the
 * twins and relationships as they were at that moment, with the live tables' columns.
 */
export interface AsOfSources {
  twinsAt: string;
  relationshipsAt: string;
  /**
   * The twins of the moment that have one of some models: `(at, models text[], exact boolean)`;
   * `exact` false matches a model's descendants too (IS_OF_MODEL).
   */
  twinsOfModelsAt: string;
}

export const DEFAULT_AS_OF_SOURCES: Readonly<AsOfSources> = Object.freeze({
  twinsAt: 'history.twins_at',
  relationshipsAt: 'history.relationships_at',
  twinsOfModelsAt: 'history.twins_of_models_at',
});

/** The tables of an `asOf` query: the functions called with the moment's parameter; COUNT() counts, filters read documents. */
export function asOfTables(at: string, overrides: Partial<AsOfSources> = {}, models?: { models: string; exact: string }): QueryTables {
  const sources = { ...DEFAULT_AS_OF_SOURCES, ...overrides };
  for (const name of [sources.twinsAt, sources.relationshipsAt, sources.twinsOfModelsAt]) {
    if (!TABLE_NAME.test(name)) throw new TypeError(`Not a plain [schema.]function name: ${JSON.stringify(name)}`);
  }
  const twins = models ? `${sources.twinsOfModelsAt}(${at}, ${models.models}, ${models.exact})` : `${sources.twinsAt}(${at})`;
  return { twins, relationships: `${sources.relationshipsAt}(${at})`, twinCount: '', twinProperties: '' };
}
