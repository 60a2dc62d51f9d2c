import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { callGateway, until } from '../support/gateway';
import { finishedJob, importFile, jobLog, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/** One bulk job at a time, cancel between batches, and an import file fetched over HTTP. */
const storage = jobsStorage();
let system: TestSystem;
const api = (method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body);
const prefix = uniqueDtmiPrefix();
const m = buildingModels(prefix);
const TWINS = 3000;

async function twinCount(): Promise<number> {
  const db = new Client({ connectionString: system.iso.databaseUrl });
  await db.connect();
  try {
    return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM twins.twins`)).rows[0].n);
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  // Small batches, one in flight: a long job, so that it can be met while running.
  system = await startSystem({ without: ['router', 'history', 'query'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100', JOBS_BATCH_SIZE: '5', JOBS_PIPELINE: '1', JOBS_ALLOW_PRIVATE_URLS: 'true' } });
  const twins = Array.from({ length: TWINS }, (_, i) => ({ $dtId: `f${i}`, $metadata: { $model: `${prefix}:Floor;1` }, level: i }));
  writeJobFile(storage.dir, 'long.ndjson', importFile({ models: m.all, twins }));
  writeJobFile(storage.dir, 'empty.ndjson', importFile({}));
}, 60_000);

afterAll(async () => {
  await system?.stop();
  storage.remove();
});

describe('one bulk job at a time, and cancel', () => {
  it('refuses a second import or a delete job with JobLimitReached while one runs, and cancels between batches', async () => {
    expect((await api('PUT', '/jobs/imports/long', { inputBlobUri: 'file:///long.ndjson', outputBlobUri: 'file:///long.out' })).status).toBe(201);
    await until(async () => (await twinCount()) > 0);
    const second = await api('PUT', '/jobs/imports/second', { inputBlobUri: 'file:///empty.ndjson', outputBlobUri: 'file:///second.out' });
    expect([second.status, second.code]).toEqual([400, 'JobLimitReached']);
    const deletion = await api('POST', '/jobs/deletions');
    expect([deletion.status, deletion.code]).toEqual([400, 'JobLimitReached']);
    // Exports are not bulk jobs: they may run beside an import.
    expect((await api('PUT', '/jobs/exports/beside', {})).status).toBe(201);

    const cancelling = await api('POST', '/jobs/imports/long/cancel');
    expect(cancelling.status).toBe(200);
    expect(cancelling.body.status).toMatch(/cancelling|cancelled/);
    const job = await finishedJob(system.gatewayUrl, '/jobs/imports/long');
    expect(job.status).toBe('cancelled');
    const written = await twinCount();
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(TWINS);
    // Batches are whole: cancel stops between them.
    expect(written % 5).toBe(0);
    expect((await jobLog(system.gatewayUrl, 'long')).at(-1)).toMatchObject({ logType: 'Info', details: { status: 'Cancelled', twins: written } });

    expect((await api('PUT', '/jobs/imports/second', { inputBlobUri: 'file:///empty.ndjson', outputBlobUri: 'file:///second.out' })).status).toBe(201);
    expect((await finishedJob(system.gatewayUrl, '/jobs/imports/second')).status).toBe('succeeded');
    expect((await finishedJob(system.gatewayUrl, '/jobs/exports/beside')).status).toBe('succeeded');
    expect((await api('GET', '/jobs/exports')).body.value.map((j: { id: string }) => j.id)).toEqual(['beside']);
  }, 120_000);

  it('pages job lists with max-items-per-page and nextLink', async () => {
    const first = await callGateway(system.gatewayUrl, 'GET', '/jobs/imports', undefined, { 'max-items-per-page': '1' });
    expect(first.body.value.map((j: { id: string }) => j.id)).toEqual(['long']);
    const next = await fetch(first.body.nextLink);
    expect(((await next.json()) as { value: { id: string }[] }).value.map((j) => j.id)).toEqual(['second']);
  });

  it('reads the file from an http(s) URL (gzipped too) when private addresses are allowed, and fails the job on an HTTP error', async () => {
    const body = gzipSync(importFile({ twins: [{ $dtId: 'from-http', $metadata: { $model: `${prefix}:Floor;1` }, level: 7 }] }));
    const server: Server = createServer((req, res) => {
      if (req.url?.startsWith('/signed/campus.ndjson?sig=')) res.end(body);
      else res.writeHead(403).end('denied');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await api('PUT', '/jobs/imports/http1', { inputBlobUri: `${base}/signed/campus.ndjson?sig=abc&se=2030`, outputBlobUri: 'file:///http1.out' })).status).toBe(201);
      expect((await finishedJob(system.gatewayUrl, '/jobs/imports/http1')).status).toBe('succeeded');
      expect((await api('GET', '/digitaltwins/from-http')).body.level).toBe(7);
      expect((await api('PUT', '/jobs/imports/http2', { inputBlobUri: `${base}/expired.ndjson`, outputBlobUri: 'file:///http2.out' })).status).toBe(201);
      const failed = await finishedJob(system.gatewayUrl, '/jobs/imports/http2');
      expect([failed.status, (failed.error as { message: string }).message]).toEqual(['failed', expect.stringMatching(/HTTP 403/)]);
    } finally {
      server.close();
    }
  }, 60_000);
});
