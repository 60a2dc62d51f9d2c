import { DomainError } from '@odt/contracts';

/**
 * Twin and relationship ids: 1–128 characters that need no percent-encoding in a URL path segment
 * (RFC 3986 unreserved, sub-delims, ':' and '@'). Ids travel unencoded in URL paths, NATS headers
 * and CloudEvent subjects (`<twinId>/relationships/<relId>`), where `/` or `%` would be ambiguous.
 */
export const GRAPH_ID = /^[A-Za-z0-9\-._~:@!$&'()*+,;=]{1,128}$/;

export function checkGraphId(kind: 'digital twin' | 'relationship', id: string): void {
  if (!GRAPH_ID.test(id)) {
    throw new DomainError('InvalidArgument', `Invalid ${kind} id '${id.length > 64 ? `${id.slice(0, 64)}…` : id}': use 1–128 characters from A–Z a–z 0–9 - . _ ~ : @ ! $ & ' ( ) * + , ; =`);
  }
}
