import { ApiError, DigitalTwinsApi, type TokenCredential } from '@odt/client';
import { signIn } from '../auth/sign-in';

export { ApiError };

/** The signed-in user's token (OIDC, refreshed as it nears expiry, or pasted); none with authentication off. */
const credential: TokenCredential = { getToken: () => signIn.token() };

/** The typed client of the API, on this page's origin (the gateway serves both: no CORS). */
export const api = new DigitalTwinsApi({ endpoint: location.origin, credential, retry: { maxRetries: 2 } });

/** A path of this origin with `api-version` (and other query parameters), for EventSource. */
export function withVersion(path: string, params: Record<string, string | undefined> = {}): string {
  const url = api.transport.url(path, params);
  return url.pathname + url.search;
}
