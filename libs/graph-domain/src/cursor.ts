import { DomainError } from '@odt/contracts';

/** Opaque, URL-safe paging cursors (a nextLink carries one). */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position inside a cursor, or a 400 when it was not one of ours. */
export function decodeCursor<T>(cursor: string, isPosition: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isPosition(value)) return value;
  } catch {
    // fall through
  }
  throw new DomainError('InvalidArgument', 'The continuation link of this list is invalid.');
}
