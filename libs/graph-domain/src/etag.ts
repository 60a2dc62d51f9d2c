import { DomainError } from '@odt/contracts';

const WEAK_ETAG = /^W\/"([0-9a-fA-F-]{36})"$/;
const STRONG_ETAG = /^"([0-9a-fA-F-]{36})"$/;

/** ADT's ETags are weak: `W/"<uuid>"`. */
export const formatEtag = (uuid: string): string => `W/"${uuid}"`;

export type IfMatch = { kind: 'none' } | { kind: 'any' } | { kind: 'etag'; uuid: string };

/** Parses `If-Match`: `*`, or an ETag we issued. Anything else is a 400, as in ADT. */
export function parseIfMatch(value: string | undefined): IfMatch {
  if (value === undefined || value === '') return { kind: 'none' };
  const v = value.trim();
  if (v === '*') return { kind: 'any' };
  const m = WEAK_ETAG.exec(v) ?? STRONG_ETAG.exec(v);
  if (!m) throw new DomainError('InvalidArgument', 'Invalid If-Match header value. Allowed value(s): If-Match: {etag} or If-Match: *');
  return { kind: 'etag', uuid: m[1].toLowerCase() };
}

/** True when `If-None-Match: *` asks for create-only; any other value is a 400. */
export function parseIfNoneMatch(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value.trim() !== '*') throw new DomainError('InvalidArgument', 'Invalid If-None-Match header value. Allowed value(s): If-None-Match: *');
  return true;
}

/** True when the precondition holds for the current ETag (a uuid). */
export function matches(precondition: IfMatch, currentUuid: string): boolean {
  return precondition.kind !== 'etag' || precondition.uuid === currentUuid;
}
