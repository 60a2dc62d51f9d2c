import { DomainError } from '@odt/contracts';
import type { SourcePosition } from './ast';

const SAMPLES = 'See samples in http://aka.ms/adtv2query';

/** ADT's parse error message: `Line` counts from 1, `Position` from 0 within the line. */
export function queryParseError(line: number, position: number, message: string): DomainError {
  return new DomainError(
    'SqlQueryError',
    `SQL query parse failed: SQL Parser Error, Line=${line}, Position=${position}, Message=${message}. ${SAMPLES}`,
  );
}

/**
 * A query that parses but breaks a rule of the language or a limit. ADT reports these with the
 * parse error's shape too, and so do we, pointing at the construct at fault.
 */
export function invalidQueryError(at: SourcePosition, message: string): DomainError {
  return queryParseError(at.line, at.column, message);
}

/** A `page.after` that no page of this query could have produced (tampered or stale token). */
export function invalidContinuationError(): DomainError {
  return new DomainError('BadRequest', 'An invalid continuationToken was provided.');
}

/** User text as it can be echoed in a message: control characters escaped, long text cut. */
export function quoted(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
  return `'${escaped.length > 40 ? `${escaped.slice(0, 37)}...` : escaped}'`;
}
