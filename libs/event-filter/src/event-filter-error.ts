/**
 * An event route filter that cannot be compiled. ADT answers these with the error code
 * `EventRouteFilterInvalid` (HTTP 400); the service maps this error to it.
 */
export class EventFilterError extends Error {
  override readonly name = 'EventFilterError';
  /** ADT's error code for a bad filter (not in `@odt/contracts` yet; the caller maps it). */
  readonly code = 'EventRouteFilterInvalid';

  constructor(
    /** 0-based character offset into the filter text where the problem is. */
    readonly position: number,
    /** What is wrong, without the position. */
    readonly detail: string,
  ) {
    super(`Invalid event route filter at position ${position}: ${detail}`);
  }
}

/** User text as it can be echoed in a message: control characters escaped, long text cut. */
export function quoted(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
  return `'${escaped.length > 40 ? `${escaped.slice(0, 37)}...` : escaped}'`;
}
