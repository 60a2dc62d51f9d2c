import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { callGateway, until } from '../support/gateway';
import { finishedJob, importFile, jobLog, jobsStorage, writeJobFile } from '../support/jobs';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * One bulk job at a time, cancel between batches, an import file fetched over HTTP, its log PUT to an
 * HTTP URL, and the files of forgotten jobs removed.
 */
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
  system = await startSystem({ without: ['router', 'history', 'query'], overrides: { JOBS_STORAGE_DIR: storage.dir, JOBS_POLL_MS: '100', JOBS_BATCH_SIZE: '5', JOBS_PIPELINE: '1', JOBS_ALLOW_PRIVATE_URLS: 'true', JOBS_PURGE_INTERVAL_MS: '200' } });
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

  it('PUTs the job log to an http(s) outputBlobUri (a pre-signed URL) when the job ends', async () => {
    const received: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(req.url?.startsWith('/signed/') ? 201 : 403).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const file = writeJobFile(storage.dir, 'put-log.ndjson', importFile({ twins: [
        { $dtId: 'put-log-1', $metadata: { $model: `${prefix}:Floor;1` }, level: 1 },
        { $dtId: 'put-log-2', $metadata: { $model: `${prefix}:Floor;1` }, level: 'not a number' },
      ] }));
      const created = await api('PUT', '/jobs/imports/putlog', { inputBlobUri: file, outputBlobUri: `${base}/signed/putlog.ndjson?sv=2024&sig=abc%3D` });
      expect([created.status, created.body.outputBlobUri]).toEqual([201, `${base}/signed/putlog.ndjson?sv=2024&sig=abc%3D`]);
      expect((await finishedJob(system.gatewayUrl, '/jobs/imports/putlog')).status).toBe('succeeded');
      await until(async () => received.length > 0);
      const [put] = received;
      expect([put.method, put.url, put.headers['content-type'], put.headers['x-ms-blob-type'], Number(put.headers['content-length'])])
        .toEqual(['PUT', '/signed/putlog.ndjson?sv=2024&sig=abc%3D', 'application/x-ndjson', 'BlockBlob', Buffer.byteLength(put.body)]);
      const lines = put.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual(await jobLog(system.gatewayUrl, 'putlog'));
      expect(lines.filter((l) => l.logType === 'Error').map((l) => (l.details as { line: number }).line)).toEqual([5]);
      expect(lines.at(-1)).toMatchObject({ jobId: 'putlog', details: { status: 'Succeeded', twins: 1, errors: 1 } });
      // The log is written to a temporary file first; nothing of it is left in the storage directory.
      expect(readdirSync(path.join(storage.dir, 'logs')).filter((f) => f.includes('.put.'))).toEqual([]);

      // A store refusing the PUT does not change the job; its log stays readable.
      expect((await api('PUT', '/jobs/imports/putlog2', { inputBlobUri: file, outputBlobUri: `${base}/expired/putlog2.ndjson` })).status).toBe(201);
      expect((await finishedJob(system.gatewayUrl, '/jobs/imports/putlog2')).status).toBe('succeeded');
      await until(async () => received.length > 1);
      expect(received[1].url).toBe('/expired/putlog2.ndjson');
      expect((await jobLog(system.gatewayUrl, 'putlog2')).at(-1)).toMatchObject({ details: { status: 'Succeeded' } });
    } finally {
      server.close();
    }
  }, 60_000);

  it('removes an uploaded file and its log when the job is deleted, and an export\'s file when it is purged', async () => {
    const res = await fetch(`${system.gatewayUrl}/jobs/imports/cleanup1?api-version=2023-10-31`, {
      method: 'PUT', headers: { 'content-type': 'application/x-ndjson' }, body: importFile({ twins: [{ $dtId: 'cleanup-1', $metadata: { $model: `${prefix}:Floor;1` }, level: 1 }] }),
    });
    const job = (await res.json()) as { inputBlobUri: string; outputBlobUri: string };
    expect(res.status).toBe(201);
    expect((await finishedJob(system.gatewayUrl, '/jobs/imports/cleanup1')).status).toBe('succeeded');
    const inStorage = (uri: string) => path.join(storage.dir, decodeURIComponent(uri.slice('file:///'.length)));
    await until(async () => existsSync(inStorage(job.outputBlobUri)));
    expect(existsSync(inStorage(job.inputBlobUri))).toBe(true);
    // A file the client named itself stays.
    expect((await api('PUT', '/jobs/imports/cleanup2', { inputBlobUri: 'file:///empty.ndjson', outputBlobUri: 'file:///cleanup2.out' })).status).toBe(201);
    expect((await finishedJob(system.gatewayUrl, '/jobs/imports/cleanup2')).status).toBe('succeeded');

    expect((await api('DELETE', '/jobs/imports/cleanup1')).status).toBe(204);
    expect([existsSync(inStorage(job.inputBlobUri)), existsSync(inStorage(job.outputBlobUri))]).toEqual([false, false]);
    expect((await api('DELETE', '/jobs/imports/cleanup2')).status).toBe(204);
    expect([existsSync(path.join(storage.dir, 'empty.ndjson')), existsSync(path.join(storage.dir, 'cleanup2.out'))]).toEqual([true, true]);

    // Retention: a finished export past its purgeDateTime is forgotten, its file removed.
    expect((await api('PUT', '/jobs/exports/cleanup3', {})).status).toBe(201);
    expect((await finishedJob(system.gatewayUrl, '/jobs/exports/cleanup3')).status).toBe('succeeded');
    const exported = path.join(storage.dir, 'exports', 'cleanup3.ndjson');
    expect(existsSync(exported)).toBe(true);
    const db = new Client({ connectionString: system.iso.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE jobs.jobs SET purge_at = clock_timestamp() - interval '1 second' WHERE kind = 'export' AND id = 'cleanup3'`);
    } finally {
      await db.end();
    }
    await until(async () => (await api('GET', '/jobs/exports/cleanup3')).code === 'ExportJobNotFound');
    expect(existsSync(exported)).toBe(false);
  }, 60_000);
});
