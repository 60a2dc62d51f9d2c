/** One reason a twin (or a value) does not conform to its model. */
export interface ValidationProblem {
  /** JSON Pointer of the offending member within the validated document, e.g. `/address/city`. */
  path: string;
  message: string;
}

/** Appends one member name to a JSON Pointer (RFC 6901 escaping). */
export function childPath(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A short rendering of a value for problem messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
