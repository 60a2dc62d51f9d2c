import { DomainError } from '@odt/contracts';
import { invalidContinuationError } from '../query-errors';

/** Which page of a rows query to compile. */
export interface QueryPage {
  /** The `key` of the last row of the previous page; absent for the first page. */
  after?: unknown[];
  /** Rows per page. */
  limit: number;
  /** Rows the earlier pages returned, so that `TOP(n)` caps the whole result. */
  returnedSoFar?: number;
}

/** A database row of a compiled query: both columns are JSON text, so they can be passed on unparsed. */
export interface CompiledRow {
  /** The row in ADT's shape. */
  row: string;
  /** Its keyset position, a JSON array. */
  key: string;
}

/** How many rows this page holds, and how many the SQL fetches (one more tells that a next page exists). */
export function pageWindow(top: number | undefined, page: QueryPage | undefined): { size?: number; fetch?: number } {
  if (page && !(Number.isSafeInteger(page.limit) && page.limit >= 1)) {
    throw new DomainError('InvalidArgument', 'The page size of a query must be a positive whole number.');
  }
  const returned = page?.returnedSoFar ?? 0;
  if (!(Number.isSafeInteger(returned) && returned >= 0)) throw invalidContinuationError();
  const remaining = top === undefined ? undefined : Math.max(0, top - returned);
  if (!page || (remaining !== undefined && remaining <= page.limit)) return { size: remaining, fetch: remaining };
  return { size: page.limit, fetch: page.limit + 1 };
}

/**
 * The rows of the page (JSON texts) and, when another page follows, the `after` to compile it
 * with (pass `returnedSoFar + value.length` along with it). Only that one key is parsed.
 */
export function takePage(compiled: { pageSize?: number }, rows: readonly CompiledRow[]): { value: string[]; after?: unknown[] } {
  const { pageSize } = compiled;
  const more = pageSize !== undefined && rows.length > pageSize;
  const count = more ? pageSize : rows.length;
  const value = new Array<string>(count);
  for (let i = 0; i < count; i++) value[i] = rows[i].row;
  return more && count > 0 ? { value, after: JSON.parse(rows[count - 1].key) as unknown[] } : { value };
}

/** The page's rows as one JSON array text. */
export function pageJson(value: readonly string[]): string {
  return `[${value.join(',')}]`;
}
