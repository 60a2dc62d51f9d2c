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

/** A database row of a compiled query. */
export interface CompiledRow {
  row: unknown;
  key: unknown;
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
 * The rows of the page and, when another page follows, the `after` to compile it with
 * (pass `returnedSoFar + value.length` along with it).
 */
export function takePage(compiled: { pageSize?: number }, rows: readonly CompiledRow[]): { value: unknown[]; after?: unknown[] } {
  const { pageSize } = compiled;
  if (pageSize === undefined || rows.length <= pageSize) return { value: rows.map((r) => r.row) };
  const page = rows.slice(0, pageSize);
  return { value: page.map((r) => r.row), after: page[page.length - 1].key as unknown[] };
}
