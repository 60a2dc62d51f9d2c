import type { Page, Request } from 'playwright-core';
import { ensureExplorerBuilt } from '../../tools/explorer-build';
import { openBrowser, type Browser } from '../support/browser';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { reserveIssuer, startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer';
import { startSystem, type TestSystem } from '../support/system';

/**
 * Signing in to the Explorer with OIDC, in a real Chromium against a real OpenID provider
 * (`oidc-provider`, test/support/oidc-provider-process.mjs): the authorization-code flow with PKCE and
 * `state`, the provider's login and consent pages, the redirect back to /explorer/, a query run
 * with the token, the token refreshed when it expires, and signing out. The gateway trusts the
 * provider through its JWKS URL, as a deployment would.
 */

const CLIENT_ID = 'odt-explorer';
const RESOURCE = 'https://digitaltwins.azure.net';
/** Access tokens live 20 s here, so that their refresh can be seen (the Explorer refreshes 10 s before expiry). */
const TOKEN_TTL_S = 20;
const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);

let system: TestSystem;
let issuer: OidcIssuer;
let browser: Browser;
let page: Page;
const requests: Request[] = [];

interface StoredSession { accessToken: string; refreshToken?: string; idToken?: string; expiresAt: number; user: string }
const storedSession = () => page.evaluate(() => JSON.parse((globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('odt-oidc-session') ?? 'null') as StoredSession | null);
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
const tokenRequests = () => requests.filter((r) => r.url() === `${issuer.issuer}/token` && r.method() === 'POST').map((r) => new URLSearchParams(r.postData() ?? ''));

async function runQuery(text: string): Promise<void> {
  await page.getByRole('tab', { name: 'Query' }).click();
  await page.getByTestId('query-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

beforeAll(async () => {
  await ensureExplorerBuilt();
  // The gateway is configured with the provider's address first; it reads the JWKS when the first token comes.
  const reserved = await reserveIssuer();
  system = await startSystem({
    without: ['history', 'jobs', 'connector', 'router'],
    overrides: {
      AUTH_JWKS_URL: reserved.jwksUrl,
      AUTH_ISSUER: reserved.issuer,
      AUTH_CLOCK_SKEW_SECONDS: '0',
      EXPLORER_OIDC_CLIENT_ID: CLIENT_ID,
      EXPLORER_OIDC_SCOPES: 'openid profile offline_access digitaltwins',
      EXPLORER_OIDC_RESOURCE: RESOURCE,
    },
  });
  issuer = await startOidcIssuer(reserved.port, { clientId: CLIENT_ID, redirectUri: `${system.gatewayUrl}/explorer/`, resource: RESOURCE, accessTokenTtlSeconds: TOKEN_TTL_S });
  browser = await openBrowser();
  page = browser.page;
  page.on('request', (r) => requests.push(r));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await issuer?.stop();
  await system?.stop();
});

describe('signing in to the Explorer with OIDC', () => {
  it('tells the Explorer the issuer, client and scopes, and lets the page call the issuer', async () => {
    const res = await fetch(`${system.gatewayUrl}/explorer/config.json`);
    expect(await res.json()).toEqual({ auth: 'oidc', oidc: { issuer: issuer.issuer, clientId: CLIENT_ID, scopes: 'openid profile offline_access digitaltwins', resource: RESOURCE } });
    const csp = (await fetch(`${system.gatewayUrl}/explorer/`)).headers.get('content-security-policy');
    expect(csp).toContain(`connect-src 'self' ${issuer.issuer};`);
  });

  it('refuses the API without a token', async () => {
    await page.goto(`${system.gatewayUrl}/explorer/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expect(page.getByRole('button', { name: 'Use a token' }).count()).resolves.toBe(1);
    const refused = await fetch(`${system.gatewayUrl}/query?api-version=2023-10-31`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'SELECT * FROM DIGITALTWINS' }) });
    expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([401, expect.stringMatching(/^Bearer/)]);
  });

  it('signs in through the provider\'s login and consent with PKCE, and lands back where it started', async () => {
    const query = "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'oidc-room'";
    await page.goto(`${system.gatewayUrl}/explorer/?query=${encodeURIComponent(query)}`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${issuer.issuer}/interaction/**`);

    const authorize = new URL(requests.find((r) => r.url().startsWith(`${issuer.issuer}/auth?`))!.url());
    const sent = Object.fromEntries(authorize.searchParams);
    expect(sent).toMatchObject({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: `${system.gatewayUrl}/explorer/`, code_challenge_method: 'S256', resource: RESOURCE, scope: 'openid profile offline_access digitaltwins' });
    expect(sent.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.state.length).toBeGreaterThanOrEqual(32);

    // oidc-provider's own pages: a login form (any name and password), then the consent.
    await page.locator('input[name=login]').fill('ada');
    await page.locator('input[name=password]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByTestId('signed-in-as').filter({ hasText: 'Signed in as ada' }).waitFor({ timeout: 20_000 });
    // The single-use code is gone from the address bar, and the shared link is back.
    const back = new URL(page.url());
    expect([back.origin, back.pathname, [...back.searchParams.keys()], back.searchParams.get('query')]).toEqual([system.gatewayUrl, '/explorer/', ['query'], query]);
    const [exchange] = tokenRequests();
    expect(Object.fromEntries(exchange)).toMatchObject({ grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: `${system.gatewayUrl}/explorer/`, resource: RESOURCE });
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

    const session = (await storedSession())!;
    expect(claimsOf(session.accessToken)).toMatchObject({ iss: issuer.issuer, aud: RESOURCE, sub: 'ada', roles: ['DataOwner'] });
    expect(session.refreshToken).toBeTruthy();
  });

  it('runs a query with the signed-in user\'s token', async () => {
    const token = (await storedSession())!.accessToken;
    const auth = { authorization: `Bearer ${token}` };
    expect((await callGateway(system.gatewayUrl, 'POST', '/models', models.all, auth)).status).toBe(201);
    expect((await callGateway(system.gatewayUrl, 'PUT', '/digitaltwins/oidc-room', { $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } }, auth)).status).toBe(200);

    await runQuery("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'oidc-room'");
    await page.getByRole('status').filter({ hasText: '1 rows,' }).waitFor({ timeout: 20_000 });
    const rows = page.getByRole('region', { name: 'Results table' }).locator('tbody tr[tabindex]');
    await expect(rows.allTextContents()).resolves.toEqual([expect.stringContaining('oidc-room')]);
    const queried = requests.filter((r) => r.url().startsWith(`${system.gatewayUrl}/query`) && r.method() === 'POST');
    expect(await queried[queried.length - 1].headerValue('authorization')).toBe(`Bearer ${token}`);
  });

  it('refreshes the token when it is about to expire, and goes on working', async () => {
    const before = (await storedSession())!;
    await page.waitForTimeout(Math.max(0, before.expiresAt - 10_000 - Date.now()) + 500);
    await runQuery("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'oidc-room'");
    await page.getByRole('status').filter({ hasText: '1 rows,' }).waitFor({ timeout: 20_000 });
    const after = (await storedSession())!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
    expect(tokenRequests().map((p) => p.get('grant_type'))).toEqual(['authorization_code', 'refresh_token']);
    expect((await callGateway(system.gatewayUrl, 'GET', '/digitaltwins/oidc-room', undefined, { authorization: `Bearer ${after.accessToken}` })).status).toBe(200);
  }, 60_000);

  it('signs out at the provider too, and then the API refuses the page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${issuer.issuer}/session/end**`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${system.gatewayUrl}/explorer/**`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await storedSession()).toBeNull();
    await runQuery('SELECT * FROM DIGITALTWINS');
    await page.getByRole('status').filter({ hasText: /Unauthorized|token/i }).waitFor({ timeout: 20_000 });

    // The provider's session is gone too: signing in again asks for the login.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${issuer.issuer}/interaction/**`);
    await expect(page.locator('input[name=login]').count()).resolves.toBe(1);
  });
});
