import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser } from '../test/support/browser';
import { callGateway } from '../test/support/gateway';
import { reserveIssuer, startOidcIssuer } from '../test/support/oidc-issuer';
import { startSystem } from '../test/support/system';
import { positionOf } from '../apps/explorer/src/query/time-slider';
import { ensureExplorerBuilt } from './explorer-build';

/**
 * Takes the screenshots of docs/explorer.md (docs/explorer/*.png): a small building graph in the
 * Explorer, each panel in turn. `node -r @swc-node/register tools/explorer-screenshots.ts`
 * (needs Postgres, NATS and /usr/bin/chromium, like the tests).
 */
const OUT = path.join(__dirname, '..', 'docs', 'explorer');
const P = 'dtmi:example:explorer';
const ctx = 'dtmi:dtdl:context;3';
const MODELS = [
  { '@id': `${P}:Space;1`, '@type': 'Interface', '@context': ctx, displayName: 'Space', contents: [
    { '@type': 'Property', name: 'name', schema: 'string' },
    { '@type': 'Property', name: 'status', schema: { '@type': 'Enum', valueSchema: 'string', enumValues: [{ name: 'ok', enumValue: 'ok' }, { name: 'fault', enumValue: 'fault' }] } },
    { '@type': 'Property', name: 'tags', schema: { '@type': 'Map', mapKey: { name: 'tag', schema: 'string' }, mapValue: { name: 'value', schema: 'string' } } },
    { '@type': 'Relationship', name: 'contains', target: `${P}:Space;1` },
  ] },
  { '@id': `${P}:Building;1`, '@type': 'Interface', '@context': ctx, displayName: 'Building', extends: `${P}:Space;1`, contents: [{ '@type': 'Property', name: 'address', schema: 'string' }] },
  { '@id': `${P}:Floor;1`, '@type': 'Interface', '@context': ctx, displayName: 'Floor', extends: `${P}:Space;1`, contents: [{ '@type': 'Property', name: 'level', schema: 'integer' }] },
  { '@id': `${P}:Thermostat;1`, '@type': 'Interface', '@context': ctx, displayName: 'Thermostat', contents: [{ '@type': 'Property', name: 'setPoint', schema: 'double' }] },
  { '@id': `${P}:Room;1`, '@type': 'Interface', '@context': ctx, displayName: 'Room', extends: `${P}:Space;1`, contents: [
    { '@type': 'Property', name: 'Temperature', schema: 'double' },
    { '@type': 'Property', name: 'lastCleaned', schema: 'dateTime' },
    { '@type': 'Component', name: 'thermostat', schema: `${P}:Thermostat;1` },
  ] },
];

async function main(): Promise<void> {
  await ensureExplorerBuilt();
  mkdirSync(OUT, { recursive: true });
  const system = await startSystem();
  const browser = await openBrowser();
  const work = mkdtempSync(path.join(os.tmpdir(), 'odt-shots-'));
  const call = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
  try {
    await call('POST', '/models', MODELS);
    await call('PUT', '/digitaltwins/hq', { $metadata: { $model: `${P}:Building;1` }, name: 'Head office', address: '1 Main Street', status: 'ok' });
    for (let f = 0; f < 3; f++) {
      await call('PUT', `/digitaltwins/hq-f${f}`, { $metadata: { $model: `${P}:Floor;1` }, name: `Floor ${f}`, level: f });
      await call('PUT', `/digitaltwins/hq/relationships/hq-f${f}`, { $targetId: `hq-f${f}`, $relationshipName: 'contains' });
      for (let r = 0; r < 5; r++) {
        const id = `hq-f${f}-r${r}`;
        await call('PUT', `/digitaltwins/${id}`, { $metadata: { $model: `${P}:Room;1` }, name: `Room ${f}.${r}`, Temperature: 19 + r, status: r === 3 ? 'fault' : 'ok', tags: { wing: r < 3 ? 'east' : 'west' }, thermostat: { $metadata: {}, setPoint: 21 } });
        await call('PUT', `/digitaltwins/hq-f${f}/relationships/${id}`, { $targetId: id, $relationshipName: 'contains' });
      }
    }
    for (const t of [20.5, 21, 22.5, 21.5]) await call('PATCH', '/digitaltwins/hq-f1-r2', [{ op: 'replace', path: '/Temperature', value: t }]);
    await call('PUT', '/endpoints/alerts', { endpointType: 'nats', subject: 'alerts.rooms' });
    await call('PUT', '/eventroutes/faults', { endpointName: 'alerts', filter: "type = 'Microsoft.DigitalTwins.Twin.Update'" });

    const { page } = browser;
    // An error that unmounts the app leaves a blank page and a wait that times out: say which.
    page.on('pageerror', (e) => console.error('The Explorer failed:', e.stack));
    await page.goto(`${system.gatewayUrl}/explorer/`);
    const tab = (name: string) => page.getByRole('tab', { name }).click();
    await page.getByTestId('query-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(`SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${P}:Space;1')`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /rows,/ }).first().waitFor();
    await page.waitForTimeout(2500);
    await page.getByRole('button', { name: 'Layered layout' }).click();
    await page.waitForTimeout(2500);
    await page.evaluate(() => (globalThis as unknown as { odtSigma: { refresh(): void } }).odtSigma.refresh());
    await page.getByLabel('Saved query name').fill('All spaces');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'All spaces', exact: true }).waitFor();
    await page.screenshot({ path: path.join(OUT, 'query-graph-table.png') });

    await page.getByRole('region', { name: 'Results table' }).locator('tbody tr[tabindex]').filter({ hasText: 'hq-f1-r2' }).click();
    await page.getByRole('heading', { name: 'hq-f1-r2' }).waitFor();
    await page.getByRole('button', { name: 'History of Temperature' }).click();
    await page.getByRole('img', { name: 'Temperature over time' }).waitFor();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(OUT, 'inspector.png') });

    // The time slider: a room removed, then the graph as it was a moment before.
    const before = Date.now();
    await page.waitForTimeout(2000);
    await call('DELETE', '/digitaltwins/hq-f2-r4?cascade=true');
    await page.waitForTimeout(1000);
    await page.getByRole('checkbox', { name: 'As of' }).check();
    await page.getByRole('slider', { name: 'Time ago' }).fill(String(positionOf((Date.now() - before - 1000) / 1000)));
    await page.getByLabel('Graph shown as of').waitFor();
    await page.waitForTimeout(2500);
    await page.screenshot({ path: path.join(OUT, 'history.png') });
    await page.getByRole('checkbox', { name: 'As of' }).uncheck();
    await page.getByRole('status').filter({ hasText: /rows,/ }).first().waitFor();

    await tab('Models');
    await page.getByRole('button', { name: 'Model graph' }).click();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(OUT, 'models.png') });

    await tab('Live');
    await page.getByTestId('live-state').filter({ hasText: 'open' }).waitFor();
    for (const r of [0, 1, 2]) await call('PATCH', `/digitaltwins/hq-f0-r${r}`, [{ op: 'replace', path: '/Temperature', value: 25 + r }]);
    await page.getByRole('list', { name: 'Events' }).getByText('hq-f0-r2').waitFor();
    await page.screenshot({ path: path.join(OUT, 'live.png') });

    await tab('Import / export');
    const file = path.join(work, 'annex.ndjson');
    const lines = [{ Section: 'Header' }, { fileVersion: '1.0.0', author: 'docs', organization: '' }, { Section: 'Twins' },
      { $dtId: 'annex', $metadata: { $model: `${P}:Building;1` }, name: 'Annex' }, { $dtId: 'annex-f0', $metadata: { $model: `${P}:Floor;1` }, level: 0 },
      { Section: 'Relationships' }, { $dtId: 'annex', $relationshipId: 'annex-f0', $targetId: 'annex-f0', $relationshipName: 'contains' }];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByText(/finished:|job succeeded/).waitFor();
    await page.screenshot({ path: path.join(OUT, 'import-export.png') });

    await tab('Routes');
    await page.getByText('faults').waitFor();
    await page.screenshot({ path: path.join(OUT, 'routes.png') });
    await signInShot();
    console.log(`screenshots in ${OUT}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await browser.close();
    await system.stop();
  }
}

/** Signed in through an OpenID provider (oidc-provider, as in the browser test), with the header saying who. */
async function signInShot(): Promise<void> {
  const reserved = await reserveIssuer();
  const resource = 'https://digitaltwins.azure.net';
  const system = await startSystem({
    without: ['history', 'jobs', 'connector', 'router'],
    overrides: { AUTH_JWKS_URL: reserved.jwksUrl, AUTH_ISSUER: reserved.issuer, EXPLORER_OIDC_CLIENT_ID: 'odt-explorer', EXPLORER_OIDC_SCOPES: 'openid profile offline_access digitaltwins', EXPLORER_OIDC_RESOURCE: resource },
  });
  const issuer = await startOidcIssuer(reserved.port, { clientId: 'odt-explorer', redirectUri: `${system.gatewayUrl}/explorer/`, resource });
  const browser = await openBrowser();
  try {
    const { page } = browser;
    await page.goto(`${system.gatewayUrl}/explorer/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('input[name=login]').fill('ada');
    await page.locator('input[name=password]').fill('secret');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByTestId('query-editor').click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /rows,/ }).first().waitFor();
    await page.screenshot({ path: path.join(OUT, 'sign-in.png'), clip: { x: 0, y: 0, width: 1400, height: 260 } });
  } finally {
    await browser.close();
    await issuer.stop();
    await system.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
