import type { Page } from 'playwright-core';
import { positionOf } from '../../apps/explorer/src/query/time-slider';
import { ensureExplorerBuilt } from '../../tools/explorer-build';
import { openBrowser, type Browser } from '../support/browser';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * The Explorer's history panel in a real Chromium, with the history service running: the time
 * slider re-runs the current query as of the moment it points at (the twins and values of then),
 * and the inspector charts a property's values over time.
 */

const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);
const ROOM = models.room['@id'];
const QUERY = `SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${ROOM}')`;
const room = (Temperature: number) => ({ $metadata: { $model: ROOM }, Temperature, thermostat: { $metadata: {} } });

let system: TestSystem;
let browser: Browser;
let page: Page;
/** A moment when room-a was 20 °C and room-b existed, before the changes. */
let before: number;

const call = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
const drawn = () => page.evaluate(() => (globalThis as unknown as { odtExplorer: { graph: { nodes(): string[] } } }).odtExplorer.graph.nodes().sort());
const rowOf = (id: string) => page.getByRole('region', { name: 'Results table' }).locator('tbody tr[tabindex]').filter({ hasText: id });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await ensureExplorerBuilt();
  system = await startSystem({ without: ['jobs', 'connector'] });
  expect((await call('POST', '/models', models.all)).status).toBe(201);
  expect((await call('PUT', '/digitaltwins/room-a', room(20))).status).toBe(200);
  expect((await call('PUT', '/digitaltwins/room-b', room(18))).status).toBe(200);
  // History has them once a read as of now answers (it waits for its watermark to pass that moment).
  await until(async () => (await call('GET', `/digitaltwins/room-b?asOf=${new Date().toISOString()}`)).status === 200);
  before = Date.now();
  // Three seconds of the "before" graph; the slider's moment may land up to that much late (it is taken when the query runs).
  await sleep(3000);
  expect((await call('PATCH', '/digitaltwins/room-a', [{ op: 'replace', path: '/Temperature', value: 25 }])).status).toBe(204);
  expect((await call('DELETE', '/digitaltwins/room-b')).status).toBe(204);
  expect((await call('PUT', '/digitaltwins/room-c', room(22))).status).toBe(200);
  expect((await call('PATCH', '/digitaltwins/room-a', [{ op: 'replace', path: '/Temperature', value: 27 }])).status).toBe(204);
  await until(async () => (await call('GET', '/digitaltwins/room-a/history?property=Temperature')).body?.value?.length === 3);

  browser = await openBrowser();
  page = browser.page;
  await page.goto(`${system.gatewayUrl}/explorer/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('the Explorer\'s history panel', () => {
  it('shows the graph of now first', async () => {
    await page.getByRole('tab', { name: 'Query' }).click();
    await page.getByTestId('query-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(QUERY);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '2 rows,' }).waitFor({ timeout: 20_000 });
    expect(await drawn()).toEqual(['room-a', 'room-c']);
    await expect(rowOf('room-a').textContent()).resolves.toContain('27');
  });

  it('re-runs the query as of the moment the slider points at: the twins and values of then', async () => {
    await page.getByRole('checkbox', { name: 'As of' }).check();
    const slider = page.getByRole('slider', { name: 'Time ago' });
    // Half a second after `before`, seen from now: a few seconds ago, where the slider is seconds apart.
    await slider.fill(String(positionOf((Date.now() - before - 500) / 1000)));
    await expect(page.getByTestId('as-of').textContent()).resolves.toMatch(/^\d+ s ago$/);
    await page.getByRole('status').filter({ hasText: '2 rows,' }).waitFor({ timeout: 20_000 });
    await until(async () => (await drawn()).includes('room-b'));
    expect(await drawn()).toEqual(['room-a', 'room-b']);
    await expect(rowOf('room-a').textContent()).resolves.toContain('20');
    await expect(rowOf('room-b').textContent()).resolves.toContain('18');
    await expect(page.getByLabel('Graph shown as of').textContent()).resolves.toMatch(/^Showing /);
  });

  it('says so when the slider points before history began', async () => {
    await page.getByRole('slider', { name: 'Time ago' }).fill(String(positionOf(3 * 86_400)));
    await expect(page.getByTestId('as-of').textContent()).resolves.toBe('3.0 days ago');
    await page.getByRole('status').filter({ hasText: 'HistoryNotAvailable' }).waitFor({ timeout: 20_000 });
  });

  it('shows the graph of now again when "As of" is switched off', async () => {
    await page.getByRole('checkbox', { name: 'As of' }).uncheck();
    await page.getByRole('status').filter({ hasText: '2 rows,' }).waitFor({ timeout: 20_000 });
    expect(await drawn()).toEqual(['room-a', 'room-c']);
    await expect(page.getByTestId('as-of').textContent()).resolves.toBe('now');
  });

  it('charts a property in the inspector, a point for each value it had', async () => {
    await rowOf('room-a').click();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('heading', { name: 'room-a' }).waitFor();
    await inspector.getByRole('button', { name: 'History of Temperature' }).click();
    const chart = inspector.getByRole('img', { name: 'Temperature over time' });
    await chart.waitFor();
    await expect(chart.locator('circle').count()).resolves.toBe(3);
    await expect(inspector.locator('figcaption').textContent()).resolves.toBe('Temperature: 3 values, 20 … 27');
    // Oldest first, left to right: 20, 25, 27 (higher values higher up).
    const points = await chart.locator('circle').evaluateAll((cs) => cs.map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]));
    expect(points.map(([x]) => x)).toEqual([...points.map(([x]) => x)].sort((a, b) => a - b));
    expect(points[0][1]).toBeGreaterThan(points[1][1]);
    expect(points[1][1]).toBeGreaterThan(points[2][1]);
  });
});
