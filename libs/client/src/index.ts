/** `@odt/client`: the typed client of the public API. Browser-safe: nothing here imports Node. */
export { DigitalTwinsApi, lines, type ClientOptions, type PageOptions, type AsOfOptions } from './client';
export { ApiError, ConnectionError } from './errors';
export { Transport, DEFAULT_API_VERSION, retryDelay, type RetryOptions, type TransportOptions, type RequestOptions, type RequestBody } from './http';
export { PagedIterable, tokenOfNextLink, type Page } from './paging';
export { parseEventStream } from './sse';
export { staticToken, clientCredentials, cachedCredential, jwtExpiry, type TokenCredential, type ClientCredentialsOptions } from './credentials';
export * from './types';
