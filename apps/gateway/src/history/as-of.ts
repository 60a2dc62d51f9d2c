import { DomainError } from '@odt/contracts';
import { single } from '../http/request-context';

/** Ditto's header for a read as of a moment; `?asOf=` says the same. */
export const AT_HISTORICAL_TIMESTAMP = 'at-historical-timestamp';

/** The moment a read asks for (validated by the history service), or undefined for the present. */
export function asOfOf(query: Record<string, unknown>, header: string | undefined): string | undefined {
  const param = single(query.asOf);
  if (param !== undefined && header !== undefined && param !== header) {
    throw new DomainError('InvalidArgument', `asOf and ${AT_HISTORICAL_TIMESTAMP} name different moments.`);
  }
  return param ?? header;
}
