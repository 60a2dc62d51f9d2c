import { ApiError, DigitalTwinsApi, type TokenCredential } from '@odt/client';

export { ApiError };

let token: string | undefined = sessionStorage.getItem('odt-token') ?? undefined;

/** A pasted bearer token (kept for this browser tab only), or undefined with authentication off. */
export function setToken(value: string | undefined): void {
  token = value?.trim() || undefined;
  if (token) sessionStorage.setItem('odt-token', token);
  else sessionStorage.removeItem('odt-token');
}

export function currentToken(): string | undefined {
  return token;
}

const credential: TokenCredential = { getToken: async () => token };

/** The typed client of the API, on this page's origin (the gateway serves both: no CORS). */
export const api = new DigitalTwinsApi({ endpoint: location.origin, credential, retry: { maxRetries: 2 } });

/** A path of this origin with `api-version` (and other query parameters), for EventSource. */
export function withVersion(path: string, params: Record<string, string | undefined> = {}): string {
  const url = api.transport.url(path, params);
  return url.pathname + url.search;
}
