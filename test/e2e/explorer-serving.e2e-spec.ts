import { ensureExplorerBuilt, initialJavaScript } from '../../tools/explorer-build';
import { authEnv } from '../support/auth';
import { startSystem, type TestSystem } from '../support/system';

/**
 * The gateway serves the built Explorer at /explorer/ (same origin as the API): without a token
 * or api-version, with content types, a year's caching for the hashed assets and none for the
 * page, the page for any other path below it, and a 404 for a missing asset.
 */
let system: TestSystem;

beforeAll(async () => {
  await ensureExplorerBuilt();
  system = await startSystem({ without: ['models', 'twins', 'relationships', 'router', 'query', 'history'], overrides: authEnv() });
}, 120_000);

afterAll(() => system?.stop());

describe('the Explorer, served by the gateway', () => {
  it('redirects /explorer to /explorer/ and serves the page there without a token', async () => {
    const bare = await fetch(`${system.gatewayUrl}/explorer`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/explorer/']);
    const page = await fetch(`${system.gatewayUrl}/explorer/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("worker-src 'self' blob:");
    expect(await page.text()).toContain('<div id="root"></div>');
  });

  it('serves its hashed assets with their content type, cached for a year', async () => {
    const html = await (await fetch(`${system.gatewayUrl}/explorer/`)).text();
    const script = /src="(\/explorer\/assets\/[^"]+\.js)"/.exec(html)![1];
    const css = /href="(\/explorer\/assets\/[^"]+\.css)"/.exec(html)![1];
    const js = await fetch(`${system.gatewayUrl}${script}`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    const style = await fetch(`${system.gatewayUrl}${css}`);
    expect([style.status, style.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
  });

  it('answers any other path below /explorer/ with the page (a shared link), and a missing asset with 404', async () => {
    const deep = await fetch(`${system.gatewayUrl}/explorer/graph/view?query=SELECT%20*%20FROM%20DIGITALTWINS`);
    expect([deep.status, deep.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    for (const path of ['/explorer/assets/nothing-here.js', '/explorer/..%2F..%2Fpackage.json', '/explorer/%2e%2e/%2e%2e/package.json']) {
      const res = await fetch(`${system.gatewayUrl}${path}`);
      expect([path, res.status, res.headers.get('x-ms-error-code')]).toEqual([path, 404, 'RouteNotFound']);
    }
  });

  it('loads at most 600 kB of JavaScript (gzipped) before it runs', () => {
    const js = initialJavaScript();
    expect(js.files.length).toBeGreaterThan(0);
    expect(js.gzipped).toBeLessThanOrEqual(600 * 1024);
  });

  it('tells the Explorer to take a pasted token when authentication is on without an OIDC client', async () => {
    const res = await fetch(`${system.gatewayUrl}/explorer/config.json`);
    expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'application/json; charset=utf-8', 'no-cache']);
    expect(await res.json()).toEqual({ auth: 'token' });
    expect((await fetch(`${system.gatewayUrl}/explorer/`)).headers.get('content-security-policy')).toContain("connect-src 'self';");
  });

  it('links the Explorer from the landing page', async () => {
    const landing = await (await fetch(`${system.gatewayUrl}/`, { headers: { accept: 'application/json' } })).json() as { links: Record<string, string> };
    expect(landing.links.explorer).toBe('/explorer/');
  });
});
