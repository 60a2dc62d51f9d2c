import type { Condition, Literal } from '../ast';
import type { QueryScope, TwinCollection } from './query-scope';
import type { SqlParameters } from './sql-parameters';
import { isSystemField } from './value-sql';

type JsonObject = { [key: string]: JsonValue };
type JsonValue = string | number | boolean | null | JsonObject;

/**
 * Index support for property equality. `T.p.q = v` in a conjunct of the top-level AND implies
 * `T.document @> {"p": {"q": v}}`, which the GIN index on twin documents (`jsonb_path_ops`)
 * answers; one containment per twin collection gathers them. It goes next to the exact
 * predicates, never instead: they keep ADT's semantics (JSON types, undefined), the containment
 * only narrows the rows the index yields, so it must hold whenever they do. Hence only `=` (a
 * number equals in jsonb as it does in numeric: 25 and 25.0), never under OR or NOT, only along
 * object keys (`#>` reads `{"a": [5]}` at `a.0`, containment would not), only document properties.
 */
export function documentContainments(conjuncts: readonly Condition[], scope: QueryScope, params: SqlParameters): string[] {
  const byTwin = new Map<TwinCollection, JsonObject>();
  for (const condition of conjuncts.flatMap(conjunctsOf)) {
    if (condition.kind !== 'compare' || condition.comparator !== '=') continue;
    const value = containedValue(condition.value);
    if (value === undefined) continue;
    const { collection, segments } = scope.resolve(condition.path);
    if (collection.kind !== 'twin' || segments.length === 0 || isSystemField(collection, segments)) continue;
    if (segments.slice(1).some(mayIndexAnArray)) continue;
    const object = byTwin.get(collection) ?? emptyObject();
    if (place(object, segments, value)) byTwin.set(collection, object);
  }
  return [...byTwin].map(([twin, object]) => `${twin.sqlAlias}.document @> ${params.addJson(object)}`);
}

/** `(a AND b) AND c` holds a, b and c. */
function conjunctsOf(condition: Condition): Condition[] {
  return condition.kind === 'and' ? condition.terms.flatMap(conjunctsOf) : [condition];
}

/** The JSON value a literal compares equal to; undefined where containment could not stand for it. */
function containedValue(literal: Literal): JsonValue | undefined {
  switch (literal.kind) {
    case 'string':
      return literal.value; // never U+0000, which jsonb cannot hold: the lexer refuses it
    case 'number':
      return Number.isFinite(literal.value) ? literal.value : undefined;
    case 'boolean':
      return literal.value;
    case 'null':
      return null;
  }
}

/** Postgres reads a path step as an array index when it parses as an integer (strtol: spaces, sign). */
function mayIndexAnArray(segment: string): boolean {
  return /^\s*[+-]?\d/.test(segment);
}

/** Null-prototype objects: property names are user text (`__proto__` is just a name here). */
function emptyObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

/** Puts `value` at `path`; false (and nothing changed) when another condition already holds that place. */
function place(object: JsonObject, path: readonly string[], value: JsonValue): boolean {
  let node = object;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next === undefined) {
      const created = emptyObject();
      node[segment] = created;
      node = created;
    } else if (isObject(next)) {
      node = next;
    } else {
      return false;
    }
  }
  const last = path[path.length - 1];
  if (node[last] !== undefined) return false;
  node[last] = value;
  return true;
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null;
}
