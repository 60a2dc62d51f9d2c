import { startSystem, type TestSystem } from '../support/system';

/** Health, readiness, and what a caller sees when a service behind the gateway is missing. */
describe('operations', () => {
  let system: TestSystem;

  beforeAll(async () => {
    // No models service: its subjects have no responder.
    system = await startSystem({ without: ['models', 'relationships', 'router'] });
  });
  afterAll(() => system?.stop());

  it('answers 503 ServiceUnavailable at once when no service responds', async () => {
    const started = Date.now();
    const res = await fetch(`${system.gatewayUrl}/models?api-version=2023-10-31`);
    expect(res.status).toBe(503);
    expect(res.headers.get('x-ms-error-code')).toBe('ServiceUnavailable');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ServiceUnavailable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('serves /healthz and /readyz without api-version, readiness naming its checks', async () => {
    expect((await fetch(`${system.gatewayUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${system.gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { nats: 'ok' } });
    const twinsUrl = await system.apps.twins.getUrl();
    const twinsReady = await (await fetch(`${twinsUrl.replace('[::1]', '127.0.0.1')}/readyz`)).json();
    expect(twinsReady).toEqual({ status: 'ready', checks: { postgres: 'ok', schema: 'ok', nats: 'ok' } });
  });

  it('echoes a request id the caller sent', async () => {
    const res = await fetch(`${system.gatewayUrl}/healthz`, { headers: { 'x-ms-client-request-id': 'abc-123' } });
    expect(res.headers.get('x-ms-request-id')).toBe('abc-123');
  });
});
