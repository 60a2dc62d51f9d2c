import type { Condition, Literal, PropertyPath } from '../ast';
import { literalValue } from './predicates';
import { PROPERTY_INDEX_LIMITS } from './property-index-limits';
import type { QueryScope, TwinCollection } from './query-scope';
import type { SqlParameters } from './sql-parameters';
import { isSystemField } from './value-sql';

const { maxPathBytes, stringPrefixChars: N, skippedKey } = PROPERTY_INDEX_LIMITS;
const UTF8 = new TextEncoder();

/**
 * Property filters answered from the property index (`twins.twin_properties`: one typed row per
 * property path of each twin, maintained by the twins service's triggers). A WHERE conjunct made
 * of indexable predicates on one twin, under AND and OR, becomes a set of twin ids the index
 * yields: `EXISTS (…)` for a predicate, `t.id IN (… UNION ALL … INTERSECT …)` for an OR. Only
 * outside NOT: there a predicate's FALSE and ADT's undefined (SQL NULL) both drop the row, so the
 * index's two-valued answer stands for the exact three-valued one. Everything else keeps the exact
 * predicate on the document (`undefined` here).
 */
export class PropertyIndex {
  /** Whether some condition was answered from the index. */
  used = false;
  /**
   * How the next conditions compile: `driving` (a top-level conjunct) as membership in the
   * `candidates` CTE's ids (those `drivingIds` selects, if set: see rows-query), the rest of the
   * driving conjuncts as TRUE (the candidates meet them too); `onDocuments` exactly on the
   * documents; others through the index.
   */
  plan: { driving?: readonly Condition[]; drivingIds?: () => string; onDocuments?: Condition } = {};

  constructor(
    private readonly table: string,
    private readonly scope: QueryScope,
    private readonly params: SqlParameters,
  ) {}

  /** The conjunct as SQL: its indexable parts from the index, the rest by `exact` (on the documents). */
  condition(condition: Condition, exact: (condition: Condition) => string): string {
    if (condition === this.plan.onDocuments) return exact(condition);
    if (condition.kind === 'and') return `(${condition.terms.map((term) => this.condition(term, exact)).join(' AND ')})`;
    const twin = this.twinOf(condition);
    if (!twin) return exact(condition);
    this.used = true;
    // An array the planner takes for a few ids: it starts from them, in page order (see rows-query).
    if (condition === this.plan.driving?.[0]) return `${twin.sqlAlias}.id = ANY(ARRAY(${this.plan.drivingIds?.() ?? `SELECT twin_id FROM ${CANDIDATES}`}))`;
    if (this.plan.driving?.includes(condition)) return 'TRUE';
    if (condition.kind === 'or') return `${twin.sqlAlias}.id IN (${this.idSet(condition)})`;
    const leaf = this.leaf(condition);
    return `EXISTS (SELECT FROM ${this.table} p WHERE p.twin_id = ${twin.sqlAlias}.id AND p.path = ${leaf.path} AND ${leaf.test})`;
  }

  /**
   * The first top-level conjunct the index answers whole, the candidates a page can start from;
   * when it is one predicate, with every other conjunct that is one predicate on the same
   * property (`T.t > 20 AND T.t < 25`): one range of the index, not an intersection.
   */
  drivingConjuncts(conjuncts: readonly Condition[]): Condition[] {
    const first = conjuncts.find((conjunct) => conjunct.kind !== 'and' && this.twinOf(conjunct) !== undefined);
    if (!first) return [];
    const property = this.predicateProperty(first);
    return property === undefined ? [first] : conjuncts.filter((c) => c === first || this.predicateProperty(c) === property);
  }

  /**
   * `COUNT()` of one twin collection whose every conjunct the index answers: counted from the
   * index alone (a twin has rows there exactly while it exists, in the same snapshot), without
   * visiting the twins. Undefined otherwise.
   */
  countOnly(conjuncts: readonly Condition[]): string | undefined {
    if (conjuncts.length === 0) return undefined;
    const twins = new Set(conjuncts.map((conjunct) => this.twinOf(conjunct)));
    if (twins.size !== 1 || twins.has(undefined)) return undefined;
    this.used = true;
    const [only] = conjuncts;
    // One predicate: one row per twin at most (the key is twin and path); else set algebra, deduplicated.
    if (conjuncts.length === 1 && only.kind !== 'or' && only.kind !== 'and') return `SELECT count(*) AS n FROM (${this.idSet(only)}) ids`;
    return `SELECT count(DISTINCT twin_id) AS n FROM (${conjuncts.map((c) => `(${this.idSet(c)})`).join(' INTERSECT ')}) ids`;
  }

  /**
   * `candidates`: the ids of the twins for which `conjunct` holds, at most `limit`; and
   * `candidate_count`, how many (counted once, read by both branches of a page).
   */
  candidates(conjuncts: readonly Condition[], limit: number): string {
    return `${CANDIDATES} AS MATERIALIZED (${conjuncts.length === 1 ? this.idSet(conjuncts[0]) : this.samePropertyIdSet(conjuncts)} LIMIT ${limit}),\n` +
      `${CANDIDATE_COUNT} AS MATERIALIZED (SELECT count(*) AS n FROM ${CANDIDATES})`;
  }

  /** How many candidates there are, as a scalar subquery. */
  candidateCount(): string {
    return `(SELECT n FROM ${CANDIDATE_COUNT})`;
  }

  /**
   * Some candidates' ids in id order: those after `after` (`inclusive`: from it), the first
   * `limit` of them (a bounded top-N sort, where `ANY` of every id sorts them all). Parameters as given.
   */
  candidateIds(after: string | undefined, inclusive: boolean, limit: string | undefined): string {
    const from = after === undefined ? '' : ` WHERE twin_id ${inclusive ? '>=' : '>'} ${after}`;
    return `SELECT twin_id FROM ${CANDIDATES}${from}${limit === undefined ? '' : ` ORDER BY twin_id LIMIT ${limit}`}`;
  }

  /** The one twin whose indexable predicates make up the whole condition, if it is so made. */
  twinOf(condition: Condition): TwinCollection | undefined {
    if (condition.kind === 'and' || condition.kind === 'or') {
      const twins = new Set(condition.terms.map((term) => this.twinOf(term)));
      const [only] = twins;
      return twins.size === 1 ? only : undefined;
    }
    const path = 'path' in condition ? this.indexedPath(condition.path) : undefined;
    if (!path) return undefined;
    // `NIN []` holds for undefined properties too (`NULL = ANY('{}')` is false): not the index's to answer.
    if (condition.kind === 'in') return condition.negated && condition.values.length === 0 ? undefined : path.twin;
    return condition.kind === 'compare' || condition.kind === 'typeCheck' || condition.kind === 'stringMatch' ? path.twin : undefined;
  }

  /** SELECT of the twin ids for which an indexable condition holds. */
  private idSet(condition: Condition): string {
    if (condition.kind === 'or') return condition.terms.map((term) => `(${this.idSet(term)})`).join(' UNION ALL ');
    if (condition.kind === 'and') return condition.terms.map((term) => `(${this.idSet(term)})`).join(' INTERSECT ');
    const leaf = this.leaf(condition);
    return `SELECT p.twin_id FROM ${this.table} p WHERE p.path = ${leaf.path} AND ${leaf.test}`;
  }

  /** Predicates on one property: a twin has one index row there, so they are tests of that one row. */
  private samePropertyIdSet(conjuncts: readonly Condition[]): string {
    const [first, ...rest] = conjuncts;
    const leaf = this.leaf(first);
    const tests = [leaf.test, ...rest.map((condition) => this.test(condition))];
    return `SELECT p.twin_id FROM ${this.table} p WHERE p.path = ${leaf.path} AND ${tests.map((test) => `(${test})`).join(' AND ')}`;
  }

  /** A single indexable predicate's twin and path, as a key; undefined for anything else. */
  private predicateProperty(condition: Condition): string | undefined {
    if (condition.kind === 'and' || condition.kind === 'or' || !('path' in condition) || !this.twinOf(condition)) return undefined;
    const { twin, segments } = this.indexedPath(condition.path)!;
    return JSON.stringify([twin.sqlAlias, segments]);
  }

  /** A predicate as a test of one index row `p` at its path (true exactly when ADT's predicate is). */
  private leaf(condition: Condition): { path: string; test: string } {
    if (!('path' in condition)) throw new Error(`not an indexable predicate: ${condition.kind}`);
    const path = this.params.add(this.indexedPath(condition.path)!.segments, 'text[]');
    return { path, test: this.test(condition) };
  }

  /** The test of `leaf`, on a row `p` whose path is already bound. */
  private test(condition: Condition): string {
    switch (condition.kind) {
      case 'compare':
        return this.comparison(condition.comparator === '!=' ? '<>' : condition.comparator, condition.value);
      case 'in': {
        const member = this.membership(condition.values);
        return condition.negated ? `NOT COALESCE(${member}, FALSE)` : member;
      }
      case 'typeCheck':
        return TYPE_TESTS[condition.fn];
      case 'stringMatch':
        return this.stringMatch(condition.fn, condition.value);
      default:
        throw new Error(`not an indexable predicate: ${condition.kind}`);
    }
  }

  private comparison(operator: string, literal: Literal): string {
    switch (literal.kind) {
      case 'number':
        return `p.num ${operator} ${this.params.add(literal.value, 'numeric')}`;
      case 'boolean':
        return `p.kind = 'b' AND p.bool ${operator} ${this.params.add(literal.value, 'boolean')}`;
      case 'null':
        return operator === '=' || operator === '<=' || operator === '>=' ? `p.kind = 'z'` : 'FALSE';
      case 'string': {
        // The index holds each string's first N characters; a bound on them, then the whole string decides.
        const prefixOperator = operator === '<' ? '<=' : operator === '>' ? '>=' : operator;
        const bound = operator === '<>' ? 'p.str IS NOT NULL' : `${STRING_PREFIX} ${prefixOperator} ${this.params.add(prefixOf(literal.value), 'text')}`;
        return `${bound} AND p.str ${operator} ${this.params.add(literal.value, 'text')}`;
      }
    }
  }

  /** Equal to an item of the same JSON type; SQL NULL where a column is not of that type. */
  private membership(items: Literal[]): string {
    const of = <K extends Literal['kind']>(kind: K) => items.filter((item) => item.kind === kind).map(literalValue);
    const [numbers, strings, booleans] = [of('number'), of('string') as string[], of('boolean')];
    const tests = [
      ...(numbers.length > 0 ? [`p.num = ANY(${this.params.add(numbers, 'numeric[]')})`] : []),
      ...(strings.length > 0
        ? [`(${STRING_PREFIX} = ANY(${this.params.add(strings.map(prefixOf), 'text[]')}) AND p.str = ANY(${this.params.add(strings, 'text[]')}))`]
        : []),
      ...(booleans.length > 0 ? [`(p.kind = 'b' AND p.bool = ANY(${this.params.add(booleans, 'boolean[]')}))`] : []),
      ...(items.some((item) => item.kind === 'null') ? [`p.kind = 'z'`] : []),
    ];
    return tests.length === 0 ? 'FALSE' : `(${tests.join(' OR ')})`;
  }

  private stringMatch(fn: 'STARTSWITH' | 'ENDSWITH' | 'CONTAINS', text: string): string {
    if (fn === 'ENDSWITH') {
      const pattern = this.params.add(text, 'text');
      return `right(p.str, char_length(${pattern})) = ${pattern}`;
    }
    if (fn === 'CONTAINS') return `strpos(p.str, ${this.params.add(text, 'text')}) > 0`;
    // Strings starting with `text` have first N characters in [prefix, successor of prefix).
    const prefix = prefixOf(text);
    const upper = successor(prefix);
    const range = `${STRING_PREFIX} >= ${this.params.add(prefix, 'text')}` +
      (upper === undefined ? '' : ` AND ${STRING_PREFIX} < ${this.params.add(upper, 'text')}`);
    return `${range} AND starts_with(p.str, ${this.params.add(text, 'text')})`;
  }

  /** A document property of a twin that the index holds rows for, or undefined. */
  private indexedPath(path: PropertyPath): { twin: TwinCollection; segments: string[] } | undefined {
    const { collection, segments } = this.scope.resolve(path);
    if (collection.kind !== 'twin' || segments.length === 0 || isSystemField(collection, segments)) return undefined;
    if (segments.includes(skippedKey)) return undefined;
    // `#>` reads an array element where a later step parses as an integer; the index holds no array items.
    if (segments.slice(1).some((segment) => /^\s*[+-]?\d/.test(segment))) return undefined;
    if (UTF8.encode(segments.join('')).length > maxPathBytes) return undefined;
    return { twin: collection, segments };
  }
}

const CANDIDATES = 'candidates';
const CANDIDATE_COUNT = 'candidate_count';

/** The expression of the string index (`twin_properties_str`), as it must be written to use it. */
const STRING_PREFIX = `substr(p.str, 1, ${N})`;

/**
 * Type tests, each as the indexes can answer it: numbers and strings are in `num` and `str` only
 * (`twin_properties_kind` leaves them out, which spares a btree write per change), the other kinds
 * in `twin_properties_kind` (`kind NOT IN ('n', 's')`), so a test of several kinds is an OR of
 * those (a bitmap OR when read by path).
 */
const TYPE_TESTS: Record<string, string> = {
  IS_DEFINED: `(p.num IS NOT NULL OR p.str IS NOT NULL OR p.kind NOT IN ('n', 's'))`,
  IS_NULL: `p.kind = 'z'`,
  IS_BOOL: `p.kind = 'b'`,
  IS_NUMBER: 'p.num IS NOT NULL',
  IS_STRING: 'p.str IS NOT NULL',
  IS_OBJECT: `p.kind = 'o'`,
  IS_PRIMITIVE: `(p.num IS NOT NULL OR p.str IS NOT NULL OR p.kind IN ('z', 'b'))`,
};

/** The first N characters (code points, as Postgres' substr counts them). */
function prefixOf(text: string): string {
  const chars = Array.from(text);
  return chars.length <= N ? text : chars.slice(0, N).join('');
}

/**
 * The least string greater (in code point order, `COLLATE "C"`) than every string that starts with
 * `prefix`: its last character incremented, after dropping trailing U+10FFFF; none for ''.
 */
export function successor(prefix: string): string | undefined {
  const chars = Array.from(prefix);
  while (chars.length > 0) {
    const last = chars.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // surrogates are not characters
      return chars.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
