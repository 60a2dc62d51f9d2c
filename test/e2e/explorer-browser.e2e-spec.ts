import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureExplorerBuilt } from '../../tools/explorer-build';
import { openBrowser, type Browser } from '../support/browser';
import { callGateway, until } from '../support/gateway';
import { uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * The Explorer in a real Chromium, against the whole system: models from a folder, twins and a
 * relationship made in the UI, a query drawn and tabled, an enum and a map edited in the
 * inspector, a twin flashing on another client's change, an import file, and the same main
 * actions with the keyboard alone.
 */

const prefix = uniqueDtmiPrefix();
const dtmi = (name: string) => `${prefix}:${name};1`;
const context = 'dtmi:dtdl:context;3';
const MODELS = {
  'space.json': { '@id': dtmi('Space'), '@type': 'Interface', '@context': context, displayName: 'Space', contents: [
    { '@type': 'Property', name: 'name', schema: 'string' },
    { '@type': 'Property', name: 'status', schema: { '@type': 'Enum', valueSchema: 'string', enumValues: [
      { name: 'ok', enumValue: 'ok', displayName: 'OK' }, { name: 'fault', enumValue: 'fault', displayName: 'Fault' }, { name: 'maintenance', enumValue: 'maintenance' }] } },
    { '@type': 'Property', name: 'tags', schema: { '@type': 'Map', mapKey: { name: 'tag', schema: 'string' }, mapValue: { name: 'value', schema: 'string' } } },
    { '@type': 'Relationship', name: 'contains', target: dtmi('Space') },
  ] },
  'building.json': { '@id': dtmi('Building'), '@type': 'Interface', '@context': context, extends: dtmi('Space'), contents: [
    { '@type': 'Property', name: 'address', schema: 'string' },
  ] },
  'levels/floor.json': { '@id': dtmi('Floor'), '@type': 'Interface', '@context': context, extends: dtmi('Space'), contents: [
    { '@type': 'Property', name: 'level', schema: 'integer' },
  ] },
  'levels/room.json': { '@id': dtmi('Room'), '@type': 'Interface', '@context': context, extends: dtmi('Space'), contents: [
    { '@type': 'Property', name: 'Temperature', schema: 'double' },
  ] },
};

let system: TestSystem;
let browser: Browser;
let page: Page;
let work: string;

const call = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
const graphOrder = () => page.evaluate(() => (globalThis as unknown as { odtExplorer: { graph: { order: number } } }).odtExplorer.graph.order);
const graphSize = () => page.evaluate(() => (globalThis as unknown as { odtExplorer: { graph: { size: number } } }).odtExplorer.graph.size);
const tab = (name: string) => page.getByRole('tab', { name }).click();

/** Clicks a twin in the WebGL graph, where sigma drew it. */
async function clickNode(id: string): Promise<void> {
  // Two clicks within sigma's double-click window would be a double-click (expand), not two picks.
  await page.waitForTimeout(400);
  const box = (await page.getByTestId('graph').boundingBox())!;
  const at = await page.evaluate((id) => {
    const w = globalThis as unknown as { odtSigma: { graphToViewport(p: { x: number; y: number }): { x: number; y: number }; getGraph(): { getNodeAttributes(n: string): { x: number; y: number } } } };
    return w.odtSigma.graphToViewport(w.odtSigma.getGraph().getNodeAttributes(id));
  }, id);
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

async function runQuery(text: string, done: RegExp = /rows,/): Promise<void> {
  await tab('Query');
  const editor = page.getByTestId('query-editor');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('status').filter({ hasText: done }).first().waitFor({ timeout: 20_000 });
}

beforeAll(async () => {
  await ensureExplorerBuilt();
  system = await startSystem({ without: ['history'] });
  work = mkdtempSync(path.join(os.tmpdir(), 'odt-explorer-'));
  for (const [file, model] of Object.entries(MODELS)) {
    mkdirSync(path.dirname(path.join(work, 'ontology', file)), { recursive: true });
    writeFileSync(path.join(work, 'ontology', file), JSON.stringify(model, null, 2));
  }
  browser = await openBrowser();
  page = browser.page;
  await page.goto(`${system.gatewayUrl}/explorer/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  await system?.stop();
});

describe('the Explorer in a browser', () => {
  it('uploads the models of a folder, subfolders included, in one go', async () => {
    await tab('Models');
    await page.getByTestId('upload-folder').setInputFiles(path.join(work, 'ontology'));
    await page.getByText('Uploaded 4 models.').waitFor();
    const listed = await call('GET', '/models');
    expect(listed.body.value.map((m: { id: string }) => m.id).sort()).toEqual(Object.values(MODELS).map((m) => m['@id']).sort());
    await expect(page.getByRole('button', { name: `Create a twin of ${dtmi('Room')}` }).count()).resolves.toBe(1);
  });

  it('creates twins and a relationship through the UI', async () => {
    for (const [model, id] of [['Building', 'b1'], ['Floor', 'f1'], ['Room', 'r1']]) {
      await page.getByRole('button', { name: `Create a twin of ${dtmi(model)}` }).click();
      await page.getByLabel(`Id of the new ${dtmi(model)} twin`).fill(id);
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await until(async () => (await call('GET', `/digitaltwins/${id}`)).status === 200);
      expect((await call('GET', `/digitaltwins/${id}`)).body.$metadata.$model).toBe(dtmi(model));
    }
    // The server has them; the browser draws each once its own request has been answered.
    await until(async () => (await graphOrder()) === 3);
    expect(await graphOrder()).toBe(3);
    // Source b1, then "Link from here", then the target f1 in the graph: only `contains` is offered.
    await clickNode('b1');
    await page.getByRole('button', { name: 'Link from here' }).click();
    await clickNode('f1');
    const dialog = page.getByRole('dialog', { name: 'New relationship' });
    await dialog.waitFor();
    await expect(dialog.getByRole('option').allTextContents()).resolves.toEqual(['contains']);
    await dialog.getByRole('button', { name: 'Create relationship' }).click();
    await until(async () => (await call('GET', '/digitaltwins/b1/relationships')).body.value.length === 1);
    expect((await call('GET', '/digitaltwins/b1/relationships')).body.value[0]).toMatchObject({ $targetId: 'f1', $relationshipName: 'contains' });
    await until(async () => (await graphSize()) === 1);
    expect(await graphSize()).toBe(1);
  });

  it('runs a query and shows the twins in the graph and as table rows', async () => {
    expect((await call('PUT', '/digitaltwins/b1/relationships/b1-r1', { $targetId: 'r1', $relationshipName: 'contains' })).status).toBe(200);
    await runQuery(`SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${dtmi('Space')}') AND T.$dtId != 'f1'`);
    expect(await graphOrder()).toBe(2);
    expect(await graphSize()).toBe(1);
    const rows = page.getByRole('region', { name: 'Results table' }).locator('tbody tr[tabindex]');
    await expect(rows.count()).resolves.toBe(2);
    expect((await rows.allTextContents()).map((t) => t.slice(0, 2)).sort()).toEqual(['b1', 'r1']);
  });

  it('saves a query on the server, lists it, runs it from the list, and shares it as a link', async () => {
    await tab('Query');
    await page.getByTestId('query-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'f1'");
    await page.getByLabel('Saved query name').fill('the first floor');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'the first floor', exact: true }).waitFor();
    expect((await call('GET', '/savedqueries')).body.value).toMatchObject([{ name: 'the first floor', query: "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'f1'" }]);
    await page.getByRole('button', { name: 'the first floor', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^1 rows,/ }).first().waitFor();
    expect(await graphOrder()).toBe(1);
    await page.getByRole('button', { name: 'Share link' }).click();
    const link = await page.getByLabel('Share link').inputValue();
    expect(new URL(link).searchParams.get('query')).toBe("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'f1'");
    // The link opens the Explorer and runs the query.
    const other = await browser.context.newPage();
    await other.goto(link);
    await other.getByRole('status').filter({ hasText: /^1 rows,/ }).first().waitFor();
    await other.close();
  });

  it('shows a query error at its position in the editor', async () => {
    await runQuery('SELECT * FROM DIGITALTWINS WHERE x == 1', /SqlQueryError/);
    await expect(page.locator('.cm-query-error').textContent()).resolves.toBe('=');
  });

  it('edits an enum and a map property in the inspector and saves them as a JSON Patch with If-Match', async () => {
    await runQuery(`SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'r1'`);
    await page.getByRole('region', { name: 'Results table' }).locator('tbody tr[tabindex]').first().click();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('heading', { name: 'r1' }).waitFor();
    const before = (await call('GET', '/digitaltwins/r1')).body.$etag;
    await inspector.getByLabel('status', { exact: true }).selectOption('fault');
    await inspector.getByLabel('New tag for tags').fill('zone');
    await inspector.getByRole('button', { name: 'Add entry' }).click();
    await inspector.getByLabel('tags zone').fill('north');
    await inspector.getByLabel('Temperature', { exact: true }).fill('21.5');
    await inspector.getByRole('button', { name: /^Save \(3 changes\)/ }).click();
    await inspector.getByText(/^Saved\. New ETag/).waitFor();
    const twin = (await call('GET', '/digitaltwins/r1')).body;
    expect(twin).toMatchObject({ status: 'fault', tags: { zone: 'north' }, Temperature: 21.5 });
    expect(JSON.parse(await page.getByTestId('applied-patch').textContent() ?? '[]')).toEqual(expect.arrayContaining([
      { op: 'add', path: '/status', value: 'fault' }, { op: 'add', path: '/tags', value: { zone: 'north' } }, { op: 'add', path: '/Temperature', value: 21.5 },
    ]));
    // The new ETag is the one shown, and the next save goes through with it.
    expect(twin.$etag).not.toBe(before);
    await expect(inspector.getByText(twin.$etag).count()).resolves.toBeGreaterThan(0);
    await inspector.getByLabel('status', { exact: true }).selectOption('maintenance');
    await inspector.getByRole('button', { name: /^Save \(1 change\)/ }).click();
    await until(async () => (await call('GET', '/digitaltwins/r1')).body.status === 'maintenance');
    expect((await call('GET', '/digitaltwins/r1')).body.status).toBe('maintenance');
  });

  it('explains a conflict when another client changed the twin first', async () => {
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    const etag = (await call('GET', '/digitaltwins/r1')).body.$etag;
    await inspector.getByText(etag).first().waitFor();
    await inspector.getByLabel('status', { exact: true }).selectOption('ok');
    expect((await call('PATCH', '/digitaltwins/r1', [{ op: 'replace', path: '/Temperature', value: 19 }])).status).toBe(204);
    await inspector.getByText(/changed elsewhere/).waitFor();
    await inspector.getByRole('button', { name: /^Save/ }).click();
    await inspector.getByText(/^Conflict: the twin changed since it was read/).waitFor();
    expect((await call('GET', '/digitaltwins/r1')).body.status).toBe('maintenance');
    await inspector.getByRole('button', { name: 'Reload' }).click();
    const temperature = inspector.getByLabel('Temperature', { exact: true });
    await until(async () => (await temperature.inputValue()) === '19');
    await expect(temperature.inputValue()).resolves.toBe('19');
  });

  it("flashes a twin in the graph and lists the event when another client changes it", async () => {
    await tab('Live');
    await page.getByTestId('live-state').filter({ hasText: 'open' }).waitFor();
    await page.evaluate(() => {
      const w = globalThis as unknown as { odtExplorer: { flashing: Map<string, number>; subscribe(f: () => void): void }; flashed: string[] };
      w.flashed = [];
      w.odtExplorer.subscribe(() => { for (const id of w.odtExplorer.flashing.keys()) if (!w.flashed.includes(id)) w.flashed.push(id); });
    });
    expect((await call('PATCH', '/digitaltwins/r1', [{ op: 'add', path: '/name', value: 'Meeting room' }])).status).toBe(204);
    await page.waitForFunction(() => (globalThis as unknown as { flashed: string[] }).flashed.includes('r1'), undefined, { timeout: 15_000 });
    await page.getByRole('list', { name: 'Events' }).getByText('r1').first().waitFor();
    await expect(page.getByRole('list', { name: 'Events' }).locator('li').first().textContent()).resolves.toMatch(/Twin\.Update r1/);
  });

  it('imports an NDJSON graph file with progress and a log, relationship properties included', async () => {
    const file = path.join(work, 'graph.ndjson');
    const sensor = { '@id': dtmi('Sensor'), '@type': 'Interface', '@context': context, contents: [
      { '@type': 'Property', name: 'kind', schema: 'string' },
      { '@type': 'Relationship', name: 'feeds', target: dtmi('Room'), properties: [{ '@type': 'Property', name: 'weight', schema: 'double' }] },
    ] };
    const lines = [
      { Section: 'Header' }, { fileVersion: '1.0.0', author: 'test', organization: 'odt' },
      { Section: 'Models' }, sensor, MODELS['levels/room.json'],
      { Section: 'Twins' }, { $dtId: 's1', $metadata: { $model: dtmi('Sensor') }, kind: 'co2' }, { $dtId: 'r2', $metadata: { $model: dtmi('Room') }, Temperature: 18 },
      { Section: 'Relationships' }, { $dtId: 's1', $relationshipId: 's1-feeds-r2', $targetId: 'r2', $relationshipName: 'feeds', weight: 0.5 },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    // The model graph open in its (then hidden) tab while the import reloads the models: the app stays up.
    await tab('Models');
    await page.getByRole('button', { name: 'Model graph' }).click();
    await page.getByLabel('Model graph').waitFor();
    await tab('Import / export');
    await page.getByTestId('import-file').setInputFiles(file);
    // Through the Jobs API when the server has one (a job's log), else item by item (4 of 4).
    await page.getByText(/finished: 4 succeeded, 0 failed|job succeeded/).waitFor();
    await expect(page.getByTestId('import-progress').textContent()).resolves.toMatch(/^ (\d+)\/\1$/);
    expect((await call('GET', '/digitaltwins/s1')).body.kind).toBe('co2');
    expect((await call('GET', '/digitaltwins/s1/relationships/s1-feeds-r2')).body).toMatchObject({ $targetId: 'r2', weight: 0.5 });
    // The job's end is announced, then what it imported is read back and drawn.
    await page.waitForFunction(() => (globalThis as unknown as { odtExplorer: { graph: { hasEdge(k: string): boolean } } }).odtExplorer.graph.hasEdge('s1\u0000s1-feeds-r2'), undefined, { timeout: 10_000 });
    await tab('Models');
    await expect(page.getByLabel('Model graph').locator('canvas').count()).resolves.toBeGreaterThan(0);
  });

  it('adds an endpoint and an event route, and deletes the route, in the Routes panel', async () => {
    await tab('Routes');
    const panel = page.getByRole('region', { name: 'Routes and endpoints' });
    await panel.getByLabel('Endpoint name').fill('alerts');
    await panel.getByLabel('Endpoint type').selectOption('nats');
    await panel.getByLabel('Endpoint target').fill('explorer.alerts');
    await panel.getByRole('button', { name: 'Add endpoint' }).click();
    await panel.getByText('Saved endpoint alerts.').waitFor();
    await panel.getByLabel('Route id').fill('updates');
    await panel.getByLabel('Route endpoint').selectOption('alerts');
    await panel.getByLabel('Route filter').fill("type = 'Microsoft.DigitalTwins.Twin.Update'");
    await panel.getByRole('button', { name: 'Add route' }).click();
    await panel.getByText('Saved route updates.').waitFor();
    expect((await call('GET', '/eventroutes/updates')).body).toMatchObject({ endpointName: 'alerts', filter: "type = 'Microsoft.DigitalTwins.Twin.Update'" });
    expect((await call('GET', '/endpoints/alerts')).body).toMatchObject({ endpointType: 'nats', subject: 'explorer.alerts' });
    await panel.getByRole('button', { name: 'Delete route updates' }).click();
    await panel.getByText('Deleted route updates.').waitFor();
    expect((await call('GET', '/eventroutes/updates')).status).toBe(404);
  });

  it('exports the drawn graph as an import file that keeps relationship properties', async () => {
    await tab('Import / export');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the drawn graph' }).click()]);
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ Section: 'Header' });
    expect(lines).toContainEqual({ $dtId: 's1', $relationshipId: 's1-feeds-r2', $targetId: 'r2', $relationshipName: 'feeds', weight: 0.5 });
    expect(lines.some((l) => l['@id'] === dtmi('Sensor'))).toBe(true);
  });
});

describe('the Explorer with the keyboard alone', () => {
  /** Presses Tab until the focused element is the one `match` describes (by role and accessible name). */
  async function tabTo(match: (el: { tag: string; label: string; text: string }) => boolean, limit = 80): Promise<void> {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const el = await page.evaluate(() => {
        type Focused = { tagName: string; textContent: string | null; getAttribute(name: string): string | null } | null;
        const a = (globalThis as unknown as { document: { activeElement: Focused } }).document.activeElement;
        return { tag: a?.tagName.toLowerCase() ?? '', label: a?.getAttribute('aria-label') ?? '', text: (a?.textContent ?? '').trim().slice(0, 80) };
      });
      if (match(el)) return;
    }
    throw new Error('not reached with Tab');
  }

  it('runs a query, opens a row in the inspector, edits a property and saves, without the mouse', async () => {
    await page.goto(`${system.gatewayUrl}/explorer/`);
    await tabTo((el) => el.tag === 'button' && el.text === 'Query');
    await page.keyboard.press('Enter');
    await tabTo((el) => el.label === 'Query');
    await page.keyboard.press('Control+A');
    await page.keyboard.type("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'f1'");
    await page.keyboard.press('Control+Enter');
    await page.getByRole('status').filter({ hasText: /1 rows,/ }).first().waitFor();
    await tabTo((el) => el.tag === 'tr' && el.text.startsWith('f1'));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'f1' }).waitFor();
    await tabTo((el) => el.label === 'level');
    await page.keyboard.type('3');
    await tabTo((el) => el.tag === 'button' && el.text.startsWith('Save'));
    await page.keyboard.press('Enter');
    await until(async () => (await call('GET', '/digitaltwins/f1')).body.level === 3);
    expect((await call('GET', '/digitaltwins/f1')).body.level).toBe(3);
    // The side panel's width moves with the arrow keys, and is remembered.
    await tabTo((el) => el.label === 'Resize the side panel');
    const before = await page.locator('nav.left').evaluate((n) => n.getBoundingClientRect().width);
    await page.keyboard.press('Shift+ArrowRight');
    await expect(page.locator('nav.left').evaluate((n) => n.getBoundingClientRect().width)).resolves.toBe(before + 50);
  });
});
