import type { Comparator, Literal, StringFunction, TypeCheckFunction } from '../ast';
import type { SqlParameters } from './sql-parameters';
import { stringValue, type ValueSql } from './value-sql';

/**
 * ADT compares like its JSON store: a comparison with an undefined property, or one of another
 * JSON type than the literal, is neither true nor false. Each predicate here is SQL NULL in that
 * case, so SQL's three-valued NOT/AND/OR keep it out of the result both ways
 * (`NOT T.x <= 80` holds for numbers above 80 only).
 */
const UNKNOWN = 'NULL::boolean';

export function literalValue(literal: Literal): string | number | boolean | null {
  return literal.kind === 'null' ? null : literal.value;
}

export function compileComparison(value: ValueSql, comparator: Comparator, literal: Literal, params: SqlParameters): string {
  const operator = comparator === '!=' ? '<>' : comparator;
  switch (literal.kind) {
    case 'string': {
      // ADT orders strings by code point: the "C" collation, whatever the database's default.
      const collation = operator === '=' || operator === '<>' ? '' : ' COLLATE "C"';
      return `${stringValue(value)}${collation} ${operator} ${params.add(literal.value, 'text')}`;
    }
    case 'number':
      if (value.kind === 'text') return UNKNOWN;
      return `${typed(value.sql, 'number', 'numeric')} ${operator} ${params.add(literal.value, 'numeric')}`;
    case 'boolean':
      if (value.kind === 'text') return UNKNOWN;
      return `${typed(value.sql, 'boolean', 'boolean')} ${operator} ${params.add(literal.value, 'boolean')}`;
    case 'null': {
      if (value.kind === 'text') return UNKNOWN;
      const holds = operator === '=' || operator === '<=' || operator === '>=';
      return `(CASE WHEN jsonb_typeof(${value.sql}) = 'null' THEN ${holds ? 'TRUE' : 'FALSE'} END)`;
    }
  }
}

/** `IN` is true when the value equals an item (same JSON type), unknown when it is undefined. */
export function compileMembership(value: ValueSql, negated: boolean, items: Literal[], params: SqlParameters): string {
  const test = value.kind === 'text'
    ? `${value.sql} = ANY(${params.add(items.flatMap((item) => (item.kind === 'string' ? [item.value] : [])), 'text[]')})`
    : `${value.sql} = ANY(${params.add(items.map((item) => JSON.stringify(literalValue(item))), 'jsonb[]')})`;
  return negated ? `NOT (${test})` : test;
}

const JSON_TYPES: Record<Exclude<TypeCheckFunction, 'IS_DEFINED' | 'IS_PRIMITIVE'>, string> = {
  IS_NULL: 'null',
  IS_BOOL: 'boolean',
  IS_NUMBER: 'number',
  IS_STRING: 'string',
  IS_OBJECT: 'object',
};

/** Type checks are always true or false: `NOT IS_NULL(x)` holds for an undefined x. */
export function compileTypeCheck(value: ValueSql, fn: TypeCheckFunction): string {
  if (value.kind === 'text') return fn === 'IS_DEFINED' || fn === 'IS_STRING' || fn === 'IS_PRIMITIVE' ? 'TRUE' : 'FALSE';
  if (fn === 'IS_DEFINED') return `(${value.sql} IS NOT NULL)`;
  if (fn === 'IS_PRIMITIVE') return `COALESCE(jsonb_typeof(${value.sql}) IN ('string', 'number', 'boolean', 'null'), FALSE)`;
  return `COALESCE(jsonb_typeof(${value.sql}) = '${JSON_TYPES[fn]}', FALSE)`;
}

export function compileStringMatch(value: ValueSql, fn: StringFunction, text: string, params: SqlParameters): string {
  const subject = stringValue(value);
  const pattern = params.add(text, 'text');
  switch (fn) {
    case 'STARTSWITH':
      return `starts_with(${subject}, ${pattern})`;
    case 'ENDSWITH':
      return `right(${subject}, char_length(${pattern})) = ${pattern}`;
    case 'CONTAINS':
      return `strpos(${subject}, ${pattern}) > 0`;
  }
}

/** A top-level item of a JSON array (`@>` on a one-item array does not look into nested arrays). */
export function compileArrayContains(value: ValueSql, item: Literal, params: SqlParameters): string {
  if (value.kind === 'text') return UNKNOWN;
  return `(CASE WHEN jsonb_typeof(${value.sql}) = 'array' THEN (${value.sql}) @> ${params.addJson([literalValue(item)])} END)`;
}

/** The value cast to `sqlType` when it has JSON type `jsonType`, else SQL NULL. */
export function typed(json: string, jsonType: 'number' | 'boolean', sqlType: 'numeric' | 'boolean'): string {
  return `(CASE WHEN jsonb_typeof(${json}) = '${jsonType}' THEN (${json})::${sqlType} END)`;
}
