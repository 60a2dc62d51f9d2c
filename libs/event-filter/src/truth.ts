/**
 * SQL-style three-valued logic: `undefined` is UNKNOWN — a comparison with a missing field, or
 * between values of different JSON types. `NOT UNKNOWN` is UNKNOWN, and only TRUE matches.
 */
export type Truth = boolean | undefined;

export function not(value: Truth): Truth {
  return value === undefined ? undefined : !value;
}

export function and(values: Iterable<Truth>): Truth {
  let result: Truth = true;
  for (const value of values) {
    if (value === false) return false;
    if (value === undefined) result = undefined;
  }
  return result;
}

export function or(values: Iterable<Truth>): Truth {
  let result: Truth = false;
  for (const value of values) {
    if (value === true) return true;
    if (value === undefined) result = undefined;
  }
  return result;
}

/** Over all pairs of candidate values: TRUE if any pair is, else FALSE if any is, else UNKNOWN. */
export function exists<A, B>(left: readonly A[], right: readonly B[], test: (a: A, b: B) => Truth): Truth {
  let result: Truth = undefined;
  for (const a of left) {
    for (const b of right) {
      const value = test(a, b);
      if (value === true) return true;
      if (value === false) result = false;
    }
  }
  return result;
}
