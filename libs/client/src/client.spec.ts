import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buildSync } from 'esbuild';
import { parseEventStream } from './sse';
import { retryDelay } from './http';
import { tokenOfNextLink } from './paging';
import { ifMatch } from './types';
import { parseTokenOutput } from './node';
import { DigitalTwinsApi } from './client';

const stream = (text: string, chunk = 7) => new ReadableStream<Uint8Array>({
  start(controller) {
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
    controller.close();
  },
});

describe('@odt/client pieces', () => {
  it('bundles for the browser: the main entry imports nothing from Node', () => {
    const result = buildSync({ entryPoints: [path.join(__dirname, 'index.ts')], bundle: true, platform: 'browser', write: false, logLevel: 'silent', tsconfig: path.join(__dirname, '../../../tsconfig.base.json') });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(/require\("node:/);
  });

  it('waits as Retry-After says (seconds, a date, or milliseconds), else backs off, capped', () => {
    expect(retryDelay(new Headers({ 'retry-after': '2' }), 0)).toBe(2000);
    const inThree = new Date(Date.now() + 3000).toUTCString();
    expect(retryDelay(new Headers({ 'retry-after': inThree }), 0)).toBeGreaterThan(1000);
    expect(retryDelay(new Headers({ 'retry-after-ms': '150' }), 0)).toBe(150);
    expect(retryDelay(new Headers(), 2)).toBe(2000);
    expect(retryDelay(new Headers({ 'retry-after': '3600' }), 0, { maxDelayMs: 5000 })).toBe(5000);
  });

  it('parses Server-Sent Events split anywhere, skipping heartbeats', async () => {
    const events = [];
    for await (const e of parseEventStream(stream(': heartbeat\n\nid: 7\nevent: Microsoft.DigitalTwins.Twin.Create\ndata: {"subject":"a"}\n\nevent: dropped\ndata: line1\ndata: line2\n\n'))) events.push(e);
    expect(events).toEqual([
      { id: '7', event: 'Microsoft.DigitalTwins.Twin.Create', data: { subject: 'a' } },
      { event: 'dropped', data: 'line1\nline2' },
    ]);
  });

  it('takes the continuation token of a nextLink, and the ETag of an entity', () => {
    expect(tokenOfNextLink('https://other.host/models?api-version=2023-10-31&continuationToken=abc%3D')).toBe('abc=');
    expect(tokenOfNextLink(null)).toBeUndefined();
    expect(ifMatch({ $etag: 'W/"1"' })).toBe('W/"1"');
    expect(ifMatch('*')).toBe('*');
  });

  it('reads a token command\'s output: plain, or JSON with an expiry', () => {
    expect(parseTokenOutput('abc')).toEqual({ token: 'abc' });
    expect(parseTokenOutput('{"access_token":"t","expires_in":60}').expiresAt).toBeGreaterThan(Date.now());
    expect(parseTokenOutput('{"accessToken":"t","expires_on":1700000000}')).toEqual({ token: 't', expiresAt: 1_700_000_000_000 });
    expect(() => parseTokenOutput('{"nope":1}')).toThrow(/without an accessToken/);
  });

  it('streams an import file as the request body (never buffered, sent once)', async () => {
    let received = { method: '', url: '', type: '', bytes: 0 };
    const server = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => { bytes += c.length; });
      req.on('end', () => {
        received = { method: req.method!, url: req.url!, type: req.headers['content-type']!, bytes };
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'j1', status: 'notstarted' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const api = new DigitalTwinsApi({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const lines = Array.from({ length: 1000 }, (_, i) => `{"$dtId":"t${i}"}\n`);
      const body = Readable.toWeb(Readable.from(lines)) as unknown as ReadableStream<Uint8Array>;
      await expect(api.jobs.imports.upload('j1', body)).resolves.toEqual({ id: 'j1', status: 'notstarted' });
      expect(received).toEqual({ method: 'PUT', url: '/jobs/imports/j1?api-version=2023-10-31', type: 'application/x-ndjson', bytes: lines.join('').length });
    } finally {
      server.close();
    }
  });
});
