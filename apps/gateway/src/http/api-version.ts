import { DomainError } from '@odt/contracts';

/** Stable data-plane versions; 2022-05-31 is what the 1.x JS SDK sends. */
export const SUPPORTED_API_VERSIONS = ['2020-10-31', '2022-05-31', '2023-06-30', '2023-10-31'] as const;

/** Every ADT route (and ours beside them) requires a supported `api-version` query parameter. */
export function checkApiVersion(query: Record<string, unknown>): void {
  const given = query['api-version'];
  const version = Array.isArray(given) ? given[0] : given;
  if (version === undefined || version === '') {
    throw new DomainError('MissingArgument', `The api-version query parameter is required. Supported versions: ${SUPPORTED_API_VERSIONS.join(', ')}.`);
  }
  if (!(SUPPORTED_API_VERSIONS as readonly string[]).includes(String(version))) {
    throw new DomainError('InvalidArgument', `The api-version '${String(version)}' is not supported. Supported versions: ${SUPPORTED_API_VERSIONS.join(', ')}.`);
  }
}
