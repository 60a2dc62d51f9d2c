import type { PropertyPath, SourcePosition } from '../ast';
import { invalidQueryError, quoted } from '../query-errors';

export interface TwinCollection {
  kind: 'twin';
  /** Generated (`t0`, `t1`…): user text never names anything in the SQL. */
  sqlAlias: string;
  name?: string;
  /** Where the query declares it. */
  at: SourcePosition;
}

export interface RelationshipCollection {
  kind: 'relationship';
  sqlAlias: string;
  name?: string;
  at: SourcePosition;
}

export type Collection = TwinCollection | RelationshipCollection;

/** A path inside one collection; no segments means the collection itself (`SELECT T`). */
export interface ResolvedPath {
  collection: Collection;
  segments: string[];
  at: SourcePosition;
}

/** The collections a query binds, and how its paths and aliases name them. */
export class QueryScope {
  constructor(readonly collections: readonly Collection[]) {}

  find(name: string): Collection | undefined {
    return this.collections.find((collection) => collection.name === name);
  }

  /**
   * `alias.rest` when the first segment is an alias; otherwise the whole path is a property of
   * the only collection (ADT allows bare names, e.g. `IS_BOOL(HasTemperature)` after `FROM DIGITALTWINS T`).
   */
  resolve(path: PropertyPath): ResolvedPath {
    const [first, ...rest] = path.segments;
    const named = this.find(first);
    if (named) return { collection: named, segments: rest, at: path.at };
    if (this.collections.length === 1) return { collection: this.collections[0], segments: path.segments, at: path.at };
    throw invalidQueryError(
      path.at,
      rest.length > 0
        ? `unknown collection alias ${quoted(first)} in ${quoted(path.segments.join('.'))}`
        : `${quoted(first)} is not a collection alias; with several collections a property is written alias.property`,
    );
  }

  /** The twin collection IS_OF_MODEL tests: the named one, or the only one. */
  twin(alias: string | undefined, at: SourcePosition): TwinCollection {
    const twins = this.collections.filter((c): c is TwinCollection => c.kind === 'twin');
    if (alias === undefined) {
      if (twins.length === 1) return twins[0];
      throw invalidQueryError(at, twins.length === 0
        ? 'IS_OF_MODEL tests twins; this query reads relationships'
        : 'IS_OF_MODEL needs a collection alias when the query binds several twins');
    }
    const named = this.find(alias);
    if (!named) throw invalidQueryError(at, `unknown collection alias ${quoted(alias)}`);
    if (named.kind !== 'twin') throw invalidQueryError(at, `IS_OF_MODEL tests twins; ${quoted(alias)} is a relationship`);
    return named;
  }
}
