import type { PropertyPath } from '../ast';
import { invalidQueryError, quoted } from '../query-errors';
import type { QueryScope, ResolvedPath } from './query-scope';
import type { SqlParameters } from './sql-parameters';
import { asJson, propertyValue } from './value-sql';

interface SourceColumn {
  path: ResolvedPath;
  /** `source.g0` (grouped) or `source.a0` (aggregated). */
  ref: string;
}

/**
 * The inner query of an aggregate query: one jsonb column per GROUP BY path and per path an
 * aggregate reads. Paths are matched after resolution, so `floor` and `T.floor` are the same.
 */
export class AggregateSource {
  private readonly groups: SourceColumn[];
  private readonly inputs: SourceColumn[] = [];

  constructor(groupBy: PropertyPath[], private readonly scope: QueryScope) {
    this.groups = groupBy.map((path, index) => ({ path: this.property(path), ref: `source.g${index}` }));
  }

  get groupRefs(): string[] {
    return this.groups.map((group) => group.ref);
  }

  /** The grouped column of `path`; a path outside GROUP BY cannot be projected. */
  group(path: PropertyPath): string {
    const key = pathKey(this.property(path));
    const group = this.groups.find((g) => pathKey(g.path) === key);
    if (!group) throw invalidQueryError(path.at, `${quoted(path.segments.join('.'))} is neither in GROUP BY nor inside an aggregate`);
    return group.ref;
  }

  /** The column an aggregate reads `path` from. */
  input(path: PropertyPath): string {
    const resolved = this.property(path);
    const existing = this.inputs.find((input) => pathKey(input.path) === pathKey(resolved));
    if (existing) return existing.ref;
    const ref = `source.a${this.inputs.length}`;
    this.inputs.push({ path: resolved, ref });
    return ref;
  }

  /** `SELECT` list of the inner query (adds the paths' parameters). */
  selectList(params: SqlParameters): string {
    const columns = [...this.groups, ...this.inputs].map(({ path, ref }) => `${asJson(propertyValue(path, params))} AS ${ref.slice('source.'.length)}`);
    return columns.length > 0 ? columns.join(', ') : '1 AS matched';
  }

  private property(path: PropertyPath): ResolvedPath {
    const resolved = this.scope.resolve(path);
    if (resolved.segments.length === 0) throw invalidQueryError(path.at, `${quoted(path.segments.join('.'))} is a collection; group and aggregate properties`);
    return resolved;
  }
}

function pathKey(path: ResolvedPath): string {
  return `${path.collection.sqlAlias}:${JSON.stringify(path.segments)}`;
}
