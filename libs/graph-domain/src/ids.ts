import { DomainError } from '@odt/contracts';

export const MAX_GRAPH_ID_LENGTH = 128;

/**
 * Twin and relationship ids travel unencoded in URL paths, NATS headers and CloudEvent subjects
 * (`<twinId>/relationships/<relId>`), so a `/` or `%` in one would make those ambiguous. An id is
 * therefore 1–128 characters that need no percent-encoding in a URL path segment: RFC 3986
 * unreserved (`A-Z a-z 0-9 - . _ ~`) plus sub-delims (`! $ & ' ( ) * + , ; =`) plus `:` and `@`.
 * The dot segments `.` and `..` are refused too: URL normalisation removes them from a path.
 */
export const GRAPH_ID = /^(?!\.{1,2}$)[A-Za-z0-9\-._~:@!$&'()*+,;=]{1,128}$/;

const RULE = `an id is 1 to ${MAX_GRAPH_ID_LENGTH} characters from A-Z a-z 0-9 - . _ ~ : @ ! $ & ' ( ) * + , ; = (no '/', '%', '?', '#', whitespace, control or non-ASCII characters), and not '.' or '..'.`;

/** Throws `InvalidArgument` unless `id` follows the rule above. */
export function checkGraphId(kind: 'digital twin' | 'relationship', id: unknown): asserts id is string {
  if (typeof id === 'string' && GRAPH_ID.test(id)) return;
  const reason = typeof id !== 'string' || id.length === 0
    ? 'it is empty'
    : id.length > MAX_GRAPH_ID_LENGTH ? `it is ${id.length} characters long` : `'${printable(id)}' contains a character that is not allowed, or is a dot segment`;
  throw new DomainError('InvalidArgument', `Invalid ${kind} id: ${reason}; ${RULE}`);
}

/** The id as it can safely be echoed in a message: control and non-ASCII characters escaped, long ids cut. */
function printable(id: string): string {
  const escaped = id.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
  return escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped;
}
