import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DigitalTwinsApi } from '@odt/client';
import { buildCli, CliHome, DT_BIN } from '../support/cli';
import { startSystem, type TestSystem } from '../support/system';

const ROWS = 20_000;
const MODEL = 'dtmi:test:cli:Padded;1';

/** `dt twin query` streams: its memory stays flat whether a query returns 1,000 rows or 20,000. */
describe('dt twin query on 20,000 rows', () => {
  let system: TestSystem;
  let home: CliHome;

  beforeAll(async () => {
    buildCli();
    system = await startSystem({ without: ['router', 'history', 'relationships'] });
    home = new CliHome();
    const api = new DigitalTwinsApi({ endpoint: system.gatewayUrl });
    await api.models.create([{ '@id': MODEL, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', contents: [{ '@type': 'Property', name: 'n', schema: 'integer' }, { '@type': 'Property', name: 'pad', schema: 'string' }] }]);
    // About 1 KB a row: 20 MB of results, far more than the CLI's own footprint.
    const pad = 'x'.repeat(1000);
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = next++; i < ROWS; i = next++) await api.twins.upsert(`p${i}`, { $metadata: { $model: MODEL }, n: i, pad });
    }));
  }, 600_000);
  afterAll(async () => {
    home?.cleanup();
    await system?.stop();
  });

  /** Runs the query, counting the output lines as they come (never holding them); returns the CLI's peak RSS. */
  function run(limit: number, format: 'jsonl' | 'json'): Promise<{ code: number | null; lines: number; peakRssKb: number; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [DT_BIN, 'twin', 'query', '--query-file', '-', '-o', format], {
        env: home.env({ DT_ENDPOINT: system.gatewayUrl, DT_REPORT_PEAK_RSS: '1' }),
      });
      let lines = 0;
      let stderr = '';
      createInterface({ input: child.stdout }).on('line', () => { lines++; });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, lines, stderr, peakRssKb: Number(/peak-rss-kb: (\d+)/.exec(stderr)?.[1]) }));
      child.stdin.end(`SELECT T.$dtId, T.n, T.pad FROM DIGITALTWINS T WHERE T.n < ${limit}`);
    });
  }

  it('prints every row as jsonl, and its peak memory grows by under 4 MB for 19 MB more rows', async () => {
    const small = await run(1_000, 'jsonl');
    const large = await run(ROWS, 'jsonl');
    expect({ code: large.code, lines: large.lines }).toEqual({ code: 0, lines: ROWS });
    expect(small.lines).toBe(1_000);
    const growthMb = (large.peakRssKb - small.peakRssKb) / 1024;
    console.log(`dt twin query -o jsonl peak RSS: 1,000 rows ${(small.peakRssKb / 1024).toFixed(1)} MB, 20,000 rows ${(large.peakRssKb / 1024).toFixed(1)} MB (result set ~${((ROWS * 1050) / 1e6).toFixed(0)} MB)`);
    expect(growthMb).toBeLessThan(4);
  });

  it('streams -o json too (one array, written as the pages come)', async () => {
    const small = await run(1_000, 'json');
    const large = await run(ROWS, 'json');
    expect(large.code).toBe(0);
    // "[", then each row as a 5-line block, then "]".
    expect(large.lines).toBe(ROWS * 5 + 2);
    expect((large.peakRssKb - small.peakRssKb) / 1024).toBeLessThan(4);
  });
});
