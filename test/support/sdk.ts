import { DigitalTwinsClient } from '@azure/digital-twins-core';
import { DefaultHttpClient, type HttpClient, type HttpOperationResponse, type WebResourceLike } from '@azure/core-http';
import type { TokenCredential } from '@azure/core-auth';

/** Hands out a fixed token (any token is ignored when the gateway runs without authentication). */
const staticCredential = (token: string): TokenCredential => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
});

/**
 * For the suites that run the system inside the test process. The SDK refuses bearer tokens over
 * plain http, and Node reads extra trusted CAs (NODE_EXTRA_CA_CERTS) only when a process starts,
 * too late for a CA a test makes; so the client is pointed at an https URL and this transport
 * plays the TLS-terminating proxy: it sends the request over http to the local gateway with
 * `X-Forwarded-Proto: https`. Everything above the socket (serialisation, paging, errors) is the
 * SDK's own. The unmodified SDK over the gateway's real HTTPS listener, with no transport of ours,
 * is test/e2e/sdk-quickstart.e2e-spec.ts (a process started with NODE_EXTRA_CA_CERTS).
 */
class LoopbackHttpClient implements HttpClient {
  private readonly inner = new DefaultHttpClient();
  sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    request.url = request.url.replace(/^https:/, 'http:');
    // What a TLS-terminating proxy in front of the gateway would say.
    request.headers.set('x-forwarded-proto', 'https');
    return this.inner.sendRequest(request);
  }
}

export function sdkClient(gatewayUrl: string, token = 'test-token'): DigitalTwinsClient {
  return new DigitalTwinsClient(gatewayUrl.replace(/^http:/, 'https:'), staticCredential(token), {
    httpClient: new LoopbackHttpClient(),
    retryOptions: { maxRetries: 0 },
  });
}
