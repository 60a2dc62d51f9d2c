import os from 'node:os';
import { Pool } from 'pg';
import { openBrowser } from '../../test/support/browser';
import { ensureExplorerBuilt, initialJavaScript } from '../explorer-build';
import { startBenchSystem } from './bench-system';

const TWINS = Number(process.env.BENCH_EXPLORER_TWINS ?? 10_000);
const P = 'dtmi:bench:explorer';
const MODELS = [
  { '@id': `${P}:Space;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', contents: [
    { '@type': 'Property', name: 'name', schema: 'string' },
    { '@type': 'Relationship', name: 'hasPart', target: `${P}:Space;1` },
    { '@type': 'Relationship', name: 'feeds' },
  ] },
  ...['Building', 'Floor', 'Room', 'Zone'].map((m) => ({ '@id': `${P}:${m};1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', extends: `${P}:Space;1` })),
];

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

/**
 * `npm run bench -- explorer`: a query returning 10,000 twins and 20,000 relationships, run in the
 * Explorer in headless Chromium (software WebGL: no GPU here): how long from the last page to the
 * first frame that draws it, then the frame times while the graph is panned and zoomed with the
 * mouse, and the initial JavaScript's size.
 */
export async function benchExplorer(): Promise<void> {
  await ensureExplorerBuilt((l) => console.log(l));
  const system = await startBenchSystem(['models-service', 'twins-service', 'relationships-service', 'query-service', 'gateway']);
  const browser = await openBrowser();
  try {
    const res = await fetch(`${system.gatewayUrl}/models?api-version=2023-10-31`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MODELS) });
    if (res.status !== 201) throw new Error(`model upload: ${res.status}`);
    const pool = new Pool({ connectionString: system.databaseUrl, max: 2 });
    const kinds = `(ARRAY['Building','Floor','Room','Zone'])[1 + i % 4]`;
    await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
      SELECT 'twin-' || i, '${P}:' || ${kinds} || ';1', ARRAY['${P}:' || ${kinds} || ';1', '${P}:Space;1'], gen_random_uuid(),
        jsonb_build_object('name', 'twin ' || i, '$metadata', jsonb_build_object('$model', '${P}:' || ${kinds} || ';1', '$lastUpdateTime', '2026-01-01T00:00:00.0000000Z'))
      FROM generate_series(0, ${TWINS - 1}) i`);
    // Two per twin: a tree (hasPart, to i*3+1..3 wrapped) and a ring of feeds across it.
    await pool.query(`INSERT INTO relationships.relationships (source_id, relationship_id, name, target_id, etag, properties)
      SELECT 'twin-' || i, 'part', 'hasPart', 'twin-' || ((i * 3 + 1) % ${TWINS}), gen_random_uuid(), '{}'::jsonb FROM generate_series(0, ${TWINS - 1}) i
      UNION ALL
      SELECT 'twin-' || i, 'feeds', 'feeds', 'twin-' || ((i + 97) % ${TWINS}), gen_random_uuid(), '{}'::jsonb FROM generate_series(0, ${TWINS - 1}) i`);
    await pool.query('VACUUM ANALYZE twins.twins');
    await pool.query('VACUUM ANALYZE relationships.relationships');
    await pool.end();

    const { page } = browser;
    page.on('crash', () => console.error('the page crashed'));
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    const load0 = os.loadavg()[0];
    await page.goto(`${system.gatewayUrl}/explorer/`);
    await page.getByTestId('query-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT * FROM DIGITALTWINS');
    const started = Date.now();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForFunction(() => (globalThis as unknown as { odtExplorer: { timings: { firstFrameAt?: number } } }).odtExplorer.timings.firstFrameAt !== undefined, undefined, { timeout: 300_000, polling: 100 });
    const wall = Date.now() - started;
    const drawn = await page.evaluate(() => {
      const s = (globalThis as unknown as { odtExplorer: { graph: { order: number; size: number }; timings: { lastPageAt: number; firstFrameAt: number } } }).odtExplorer;
      return { twins: s.graph.order, relationships: s.graph.size, firstFrameMs: s.timings.firstFrameAt - s.timings.lastPageAt };
    });
    // The ForceAtlas2 worker runs for a few seconds after the load; pan and zoom once it has stopped.
    await page.waitForFunction(() => (globalThis as unknown as { odtExplorer: { layoutsRunning: number } }).odtExplorer.layoutsRunning === 0, undefined, { timeout: 60_000, polling: 200 });
    await page.evaluate(() => {
      const w = globalThis as unknown as { frames: number[]; recording: boolean; requestAnimationFrame(f: (t: number) => void): void };
      w.frames = []; w.recording = true;
      let last = 0;
      const tick = (t: number) => { if (last) w.frames.push(t - last); last = t; if (w.recording) w.requestAnimationFrame(tick); };
      w.requestAnimationFrame(tick);
    });
    const box = (await page.getByTestId('graph').boundingBox())!;
    const cx = box.x + box.width / 2; const cy = box.y + box.height / 2;
    for (let round = 0; round < 3; round++) {
      await page.mouse.move(cx - 150, cy);
      await page.mouse.down();
      for (let i = 0; i <= 30; i++) await page.mouse.move(cx - 150 + i * 10, cy + Math.sin(i / 5) * 60);
      await page.mouse.up();
      for (let i = 0; i < 8; i++) await page.mouse.wheel(0, i < 4 ? -240 : 240);
    }
    const frames = await page.evaluate(() => { const w = globalThis as unknown as { frames: number[]; recording: boolean }; w.recording = false; return w.frames; });
    const js = initialJavaScript();
    const load1 = os.loadavg()[0];
    console.log('\nExplorer (headless Chromium, software WebGL)');
    console.log(`  drawn:                          ${drawn.twins} twins, ${drawn.relationships} relationships (query + relationship pages: ${(wall / 1000).toFixed(1)} s)`);
    console.log(`  last page → first frame:        ${drawn.firstFrameMs.toFixed(0)} ms   (budget 3,000 ms)`);
    console.log(`  pan/zoom frames:                ${frames.length}, median ${median(frames).toFixed(1)} ms, p90 ${pct(frames, 0.9).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms   (budget: median ≤ 33 ms)`);
    console.log(`  initial JavaScript:             ${js.files.join(', ')}: ${(js.bytes / 1024).toFixed(0)} kB, ${(js.gzipped / 1024).toFixed(0)} kB gzipped   (budget 600 kB gzipped)`);
    console.log(`  load average (1 min):           ${load0.toFixed(2)} before, ${load1.toFixed(2)} after (${os.cpus().length} cores, shared)`);
  } finally {
    await browser.close().catch((err: Error) => console.error(`closing the browser: ${err.message}`));
    await system.stop();
  }
}

