import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort, spawnService, waitForReady } from '../../tools/services';
import { authEnv, mintToken } from '../support/auth';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * The live stream from a browser with authentication on: `EventSource` cannot send an
 * Authorization header, so the page trades its token for a single-use ticket
 * (`POST /events/tickets`) and opens `GET /events?ticket=…`. Run in Debian's Chromium through
 * playwright-core; the gateway runs as its own process so that everything it logs can be read.
 */

const CHROMIUM = '/usr/bin/chromium';
const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);

let system: TestSystem;
let gateway: ChildProcess;
let gatewayUrl: string;
let logs = '';
let profile: string;
let context: BrowserContext;
let page: Page;
let ownerToken: string;
const issued: string[] = [];

beforeAll(async () => {
  // Tickets live 3 s here (60 s by default), so that expiry can be seen.
  system = await startSystem({ without: ['relationships', 'query', 'router'], overrides: authEnv({ EVENTS_TICKET_TTL_SECONDS: '3', AUTH_CUSTOM_ROLES: JSON.stringify({ Writer: ['digitaltwins/*'] }) }) });
  const port = await freePort();
  gateway = spawnService('gateway', { ...system.env, PORT: String(port), LOG_LEVEL: 'debug' }, 'pipe');
  gateway.stdout?.on('data', (chunk: Buffer) => { logs += chunk.toString(); });
  gateway.stderr?.on('data', (chunk: Buffer) => { logs += chunk.toString(); });
  await waitForReady(port);
  gatewayUrl = `http://127.0.0.1:${port}`;
  ownerToken = await mintToken({ sub: 'browser-user', roles: ['DataOwner'] });
  expect((await callGateway(gatewayUrl, 'POST', '/models', models.all, { authorization: `Bearer ${ownerToken}` })).status).toBe(201);

  profile = mkdtempSync(path.join(os.tmpdir(), 'odt-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await context.newPage();
  // The page is the gateway's own landing page: same origin, no CORS needed.
  await page.goto(`${gatewayUrl}/`);
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  gateway?.kill('SIGTERM');
  await system?.stop();
});

/** In the page: gets a ticket with the token, opens an EventSource with it, and records what arrives. */
async function openStream(token: string, name: string): Promise<{ status: number; ticket?: string }> {
  const result = await page.evaluate(async ({ token, name }) => {
    const res = await fetch('/events/tickets?api-version=2023-10-31', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 201) return { status: res.status };
    const { ticket } = await res.json() as { ticket: string };
    const w = globalThis as unknown as Record<string, { events: string[]; state: string }>;
    w[name] = { events: [], state: 'connecting' };
    const source = new EventSource(`/events?api-version=2023-10-31&ticket=${encodeURIComponent(ticket)}&filter=${encodeURIComponent("type = 'Microsoft.DigitalTwins.Twin.Create'")}`);
    source.addEventListener('Microsoft.DigitalTwins.Twin.Create', (e) => w[name].events.push(JSON.parse((e as MessageEvent).data).subject));
    await new Promise<void>((resolve) => {
      source.onopen = () => { w[name].state = 'open'; resolve(); };
      // A refused stream (401) is not retried by EventSource: it closes.
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) { w[name].state = 'refused'; resolve(); } };
    });
    return { status: res.status, ticket };
  }, { token, name });
  if (result.ticket) issued.push(result.ticket);
  return result;
}

/** In the page: opens an EventSource on a URL and tells whether it opened or was refused. */
function tryStream(url: string): Promise<string> {
  return page.evaluate((url) => new Promise<string>((resolve) => {
    const source = new EventSource(url);
    source.onopen = () => { source.close(); resolve('open'); };
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) resolve('refused'); };
  }), url);
}

const state = (name: string) => page.evaluate((name) => (globalThis as unknown as Record<string, { events: string[]; state: string }>)[name], name);

describe('the live stream in a browser, with authentication', () => {
  it('streams events to an EventSource opened with a ticket', async () => {
    expect(await openStream(ownerToken, 'owner')).toMatchObject({ status: 201 });
    expect((await state('owner')).state).toBe('open');
    for (const id of ['b1', 'b2']) {
      const twin = { $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } };
      expect((await callGateway(gatewayUrl, 'PUT', `/digitaltwins/${id}`, twin, { authorization: `Bearer ${ownerToken}` })).status).toBe(200);
    }
    await page.waitForFunction(() => (globalThis as unknown as Record<string, { events: string[] }>).owner.events.length >= 2, undefined, { timeout: 15_000 });
    expect((await state('owner')).events).toEqual(['b1', 'b2']);
  });

  it('opens one stream per ticket: a second use is refused', async () => {
    const ticket = issued[0];
    expect(await tryStream(`/events?api-version=2023-10-31&ticket=${encodeURIComponent(ticket)}`)).toBe('refused');
    const res = await fetch(`${gatewayUrl}/events?api-version=2023-10-31&ticket=${encodeURIComponent(ticket)}`);
    expect([res.status, res.headers.get('x-ms-error-code')]).toEqual([401, 'Unauthorized']);
  });

  it('refuses a stream without a ticket, with a made-up one, or with an expired one', async () => {
    expect(await tryStream('/events?api-version=2023-10-31')).toBe('refused');
    expect(await tryStream('/events?api-version=2023-10-31&ticket=made-up')).toBe('refused');
    const res = await fetch(`${gatewayUrl}/events/tickets?api-version=2023-10-31`, { method: 'POST', headers: { authorization: `Bearer ${ownerToken}` } });
    const { ticket } = await res.json() as { ticket: string };
    issued.push(ticket);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(await tryStream(`/events?api-version=2023-10-31&ticket=${encodeURIComponent(ticket)}`)).toBe('refused');
  });

  it("carries the caller's data actions: no ticket for a caller without events/read", async () => {
    const writer = await mintToken({ sub: 'writer', roles: ['Writer'] });
    expect(await openStream(writer, 'writer')).toEqual({ status: 403 });
    const reader = await mintToken({ sub: 'reader', roles: ['DataReader'] });
    expect(await openStream(reader, 'reader')).toMatchObject({ status: 201 });
    expect((await state('reader')).state).toBe('open');
  });

  it('a ticket works only on the stream, and no ticket or token reaches the logs', async () => {
    const res = await fetch(`${gatewayUrl}/models?api-version=2023-10-31&ticket=${encodeURIComponent(issued[issued.length - 1])}`);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(logs).toMatch(/ticket=\[redacted\]/);
    for (const secret of [...issued, ownerToken]) expect(logs.includes(secret)).toBe(false);
  });
});
