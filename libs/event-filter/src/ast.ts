import type { EnvelopeAttribute } from './event';
import type { ComparisonOperator } from './token';

export type Literal = string | number | boolean | null;

/** Something a comparison or function reads a value from. */
export type Operand =
  | { kind: 'literal'; value: Literal; position: number }
  | { kind: 'attribute'; name: EnvelopeAttribute; position: number }
  /** `$body.a.b` → path `['a', 'b']`; `$body` alone → `[]`. */
  | { kind: 'body'; path: readonly string[]; position: number }
  /** Extension: the values `add`/`replace` ops of an Update event's patch set at `pointer`. */
  | { kind: 'patch'; pointer: string; position: number };

export type StringFunction = 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS';

/** A filter is one predicate. */
export type Predicate =
  | { kind: 'constant'; value: boolean }
  | { kind: 'and' | 'or'; items: readonly Predicate[] }
  | { kind: 'not'; item: Predicate }
  | { kind: 'compare'; operator: ComparisonOperator; left: Operand; right: Operand }
  | { kind: 'function'; name: StringFunction; value: Operand; argument: Operand }
  /** Legacy `$eventType = '…'` / `!=`: the event's `type` is (not) one of `types`. */
  | { kind: 'eventType'; types: readonly string[]; negated: boolean }
  /** Extension `CHANGED('/a')`: an op of an Update event's patch touches `/a` or below. */
  | { kind: 'changed'; pointer: string };
