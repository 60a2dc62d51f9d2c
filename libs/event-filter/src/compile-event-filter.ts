import type { Operand, Predicate, StringFunction } from './ast';
import type { CloudEventLike, EventFilter } from './event';
import { parseEventFilter } from './parser';
import type { ComparisonOperator } from './token';
import { and, exists, not, or, type Truth } from './truth';

type Evaluate = (event: CloudEventLike) => Truth;
/** The candidate values of an operand for one event: none when it is missing. */
type Read = (event: CloudEventLike) => readonly unknown[];

const NONE: readonly unknown[] = Object.freeze([]);

/**
 * Compiles route filter text into a predicate over CloudEvents. Throws `EventFilterError` (with
 * the position) when the text is not a valid filter. The predicate never throws.
 */
export function compileEventFilter(text: string): EventFilter {
  const evaluate = compilePredicate(parseEventFilter(text));
  return (event) => evaluate(event) === true;
}

function compilePredicate(predicate: Predicate): Evaluate {
  switch (predicate.kind) {
    case 'constant': {
      const value = predicate.value;
      return () => value;
    }
    case 'and': {
      const items = predicate.items.map(compilePredicate);
      return (event) => and(items.map((item) => item(event)));
    }
    case 'or': {
      const items = predicate.items.map(compilePredicate);
      return (event) => or(items.map((item) => item(event)));
    }
    case 'not': {
      const item = compilePredicate(predicate.item);
      return (event) => not(item(event));
    }
    case 'compare': {
      const left = compileOperand(predicate.left);
      const right = compileOperand(predicate.right);
      const operator = predicate.operator;
      return (event) => exists(left(event), right(event), (a, b) => compare(operator, a, b));
    }
    case 'function': {
      const value = compileOperand(predicate.value);
      const argument = compileOperand(predicate.argument);
      const name = predicate.name;
      return (event) => exists(value(event), argument(event), (a, b) => stringFunction(name, a, b));
    }
    case 'eventType': {
      const types = new Set(predicate.types);
      const negated = predicate.negated;
      return (event) => (typeof event.type === 'string' ? types.has(event.type) !== negated : undefined);
    }
    case 'changed': {
      const pointer = predicate.pointer;
      return (event) => {
        const ops = patchOf(event);
        if (!ops) return undefined;
        return ops.some((op) => typeof op.path === 'string' && (op.path === pointer || op.path.startsWith(`${pointer}/`)));
      };
    }
  }
}

function compileOperand(operand: Operand): Read {
  switch (operand.kind) {
    case 'literal': {
      const values = Object.freeze([operand.value]);
      return () => values;
    }
    case 'attribute': {
      const name = operand.name;
      return (event) => (event[name] === undefined ? NONE : [event[name]]);
    }
    case 'body': {
      const path = operand.path;
      return (event) => {
        let value: unknown = event.data;
        for (const segment of path) {
          if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, segment)) return NONE;
          value = value[segment];
        }
        return value === undefined ? NONE : [value];
      };
    }
    case 'patch': {
      const pointer = operand.pointer;
      return (event) => {
        const ops = patchOf(event);
        if (!ops) return NONE;
        return ops
          .filter((op) => (op.op === 'add' || op.op === 'replace') && op.path === pointer && 'value' in op)
          .map((op) => op.value);
      };
    }
  }
}

/** The JSON Patch ops of an `*.Update` event (`data.patch`), or `undefined` for other events. */
function patchOf(event: CloudEventLike): Record<string, unknown>[] | undefined {
  if (typeof event.type !== 'string' || !event.type.endsWith('.Update')) return undefined;
  const data = event.data;
  if (!isPlainObject(data) || !Array.isArray(data.patch)) return undefined;
  return data.patch.filter(isPlainObject);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One comparison. Objects and arrays compare to nothing (UNKNOWN). `null` is equal only to
 * `null` and unequal to every other value; ordering with `null` is UNKNOWN. Otherwise both sides
 * must have the same JSON type (else UNKNOWN); strings order by UTF-16 code units, booleans
 * only compare for (in)equality.
 */
function compare(operator: ComparisonOperator, a: unknown, b: unknown): Truth {
  if (isContainer(a) || isContainer(b)) return undefined;
  if (a === null || b === null) {
    if (operator === '=') return a === b;
    if (operator === '!=') return a !== b;
    return undefined;
  }
  if (typeof a !== typeof b) return undefined;
  if (typeof a === 'boolean' && operator !== '=' && operator !== '!=') return undefined;
  if (typeof a !== 'string' && typeof a !== 'number' && typeof a !== 'boolean') return undefined;
  const x = a as string | number | boolean;
  const y = b as string | number | boolean;
  switch (operator) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** STARTS_WITH / ENDS_WITH / CONTAINS: case-sensitive; UNKNOWN unless both sides are strings. */
function stringFunction(name: StringFunction, value: unknown, argument: unknown): Truth {
  if (typeof value !== 'string' || typeof argument !== 'string') return undefined;
  switch (name) {
    case 'STARTS_WITH':
      return value.startsWith(argument);
    case 'ENDS_WITH':
      return value.endsWith(argument);
    case 'CONTAINS':
      return value.includes(argument);
  }
}
