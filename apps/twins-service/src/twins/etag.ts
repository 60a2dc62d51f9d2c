import { TwinErrors } from './twins.errors';

const WEAK_ETAG = /^W\/"([0-9a-fA-F-]{36})"$/;

export const formatEtag = (uuid: string): string => `W/"${uuid}"`;

/** Parses `If-Match`: `*`, or a (weak) ETag we issued. Anything else is a 400, as in ADT. */
export function parseIfMatch(value: string | undefined): { kind: 'none' } | { kind: 'any' } | { kind: 'etag'; uuid: string } {
  if (value === undefined || value === '') return { kind: 'none' };
  const v = value.trim();
  if (v === '*') return { kind: 'any' };
  const m = WEAK_ETAG.exec(v) ?? /^"([0-9a-fA-F-]{36})"$/.exec(v);
  if (!m) throw TwinErrors.badIfMatch();
  return { kind: 'etag', uuid: m[1].toLowerCase() };
}

export function parseIfNoneMatch(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value.trim() !== '*') throw TwinErrors.badIfNoneMatch();
  return true;
}
