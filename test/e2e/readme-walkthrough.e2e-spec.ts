import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureExplorerBuilt } from '../../tools/explorer-build';
import { ROOT } from '../../tools/services';
import { until } from '../support/gateway';
import { startSystem, type TestSystem } from '../support/system';

/**
 * The README's walkthrough, run as written: its `sh` blocks, taken from README.md (so the two
 * cannot drift), each run by `sh` against a freshly started system. The one substitution: the
 * README's `http://127.0.0.1:8080` becomes this system's address. A block that streams
 * (`curl -N`) is the README's "second terminal": it runs in the background throughout.
 */

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const README_URL = 'http://127.0.0.1:8080';

function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end === -1 ? undefined : end);
}

function fenced(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]);
}

/** Consecutive JSON documents, as curl prints two responses one after the other. */
function jsonSequence(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

/** `curl -i` output: status, headers (lower-case names) and the JSON body, if any. */
function httpResponse(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head, ...rest] = text.split(/\r?\n\r?\n/);
  const [statusLine, ...headerLines] = head.split(/\r?\n/);
  const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const bodyText = rest.join('\n\n').trim();
  return { status: Number(statusLine.split(' ')[1]), headers, body: bodyText ? JSON.parse(bodyText) : undefined };
}

const WEAK_ETAG = /^W\/"[0-9a-f-]{36}"$/;

let system: TestSystem;
let stream: ChildProcess | undefined;
let streamed = '';

beforeAll(async () => { system = await startSystem(); }, 60_000);
afterAll(async () => {
  stream?.kill('SIGTERM');
  await system?.stop();
});

describe('the README', () => {
  const walkthrough = section('A first walkthrough');
  const blocks = fenced(walkthrough, 'sh');

  it('ends by opening the Explorer, which the gateway serves there', async () => {
    expect(walkthrough.trim().split('\n').pop()).toBe(`open ${README_URL}/explorer/`);
    await ensureExplorerBuilt();
    const res = await fetch(`${system.gatewayUrl}/explorer/`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  });

  it('has the walkthrough this test expects: a stream, then six steps', () => {
    expect(blocks).toHaveLength(7);
    expect(blocks[0]).toMatch(/curl -sN /);
    for (const block of blocks) expect(block).toContain(README_URL);
  });

  it('runs its walkthrough as written, with the outcomes it states', async () => {
    const run = (block: string) => promisify(execFile)('sh', ['-c', block.replaceAll(README_URL, system.gatewayUrl)], { timeout: 30_000 });

    // The second terminal.
    stream = spawn('sh', ['-c', blocks[0].replaceAll(README_URL, system.gatewayUrl)], { stdio: ['ignore', 'pipe', 'inherit'] });
    stream.stdout?.on('data', (c: Buffer) => { streamed += c.toString(); });
    await until(() => streamed.includes(': connected'), 10_000);

    // Upload the models: their model data.
    const models = JSON.parse((await run(blocks[1])).stdout) as { id: string; uploadTime: string; decommissioned: boolean; description: object; displayName: object }[];
    expect(models.map((m) => m.id)).toEqual(['dtmi:example:Room;1', 'dtmi:example:Thermostat;1']);
    for (const m of models) expect(Object.keys(m).sort()).toEqual(['decommissioned', 'description', 'displayName', 'id', 'uploadTime']);

    // Create room1: 200, an ETag, the twin with $dtId, $etag, $metadata.
    const created = httpResponse((await run(blocks[2])).stdout);
    expect(created.status).toBe(200);
    expect(created.headers.etag).toMatch(WEAK_ETAG);
    expect(created.body).toMatchObject({ $dtId: 'room1', $etag: created.headers.etag, $metadata: { $model: 'dtmi:example:Room;1' }, name: 'Room 1', temperature: 21.5 });

    // Patch: 204 and a new ETag.
    const patched = httpResponse((await run(blocks[3])).stdout);
    expect(patched.status).toBe(204);
    expect(patched.headers.etag).toMatch(WEAK_ETAG);
    expect(patched.headers.etag).not.toBe(created.headers.etag);

    // Read back.
    expect(JSON.parse((await run(blocks[4])).stdout)).toMatchObject({ $dtId: 'room1', $etag: patched.headers.etag, temperature: 22.5, thermostat: { setPoint: 23 } });

    // room2, then the relationship with its $etag.
    const [room2, relationship] = jsonSequence((await run(blocks[5])).stdout);
    expect(room2).toMatchObject({ $dtId: 'room2' });
    expect(relationship).toMatchObject({ $relationshipId: 'room1-room2', $sourceId: 'room1', $targetId: 'room2', $relationshipName: 'adjacentTo', doors: 1, $etag: expect.stringMatching(WEAK_ETAG) });

    // Telemetry: no output (204).
    expect((await run(blocks[6])).stdout).toBe('');

    // The second terminal showed the walkthrough's own events, as the README lists them.
    const stated = fenced(walkthrough, 'text')[0].split('\n').filter((l) => l.startsWith('event: ')).map((l) => {
      const type = l.slice('event: '.length).split(/\s+/)[0];
      const subject = /subject (\S+?),?(\s|$)/.exec(l)?.[1];
      return { type, subject };
    });
    const firstSubject = /"subject":"([^"]+)"/.exec(fenced(walkthrough, 'text')[0])?.[1];
    stated[0].subject = firstSubject;
    expect(stated).toHaveLength(5);
    await until(() => (streamed.match(/^event: /gm) ?? []).length >= stated.length, 15_000);
    const seen = streamed.split('\n\n').filter((b) => b.includes('\nevent: ')).map((b) => {
      const event = JSON.parse(/^data: (.*)$/m.exec(b)![1]) as { type: string; subject?: string; data: unknown };
      expect(/^event: (.*)$/m.exec(b)![1]).toBe(event.type);
      expect(/^id: \d+$/m.test(b)).toBe(true);
      return { type: event.type, subject: event.subject };
    });
    const key = (e: { type: string; subject?: string }) => `${e.type} ${e.subject}`;
    expect(seen.map(key).sort()).toEqual(stated.map(key).sort());
    // One twin's events come in order.
    expect(seen.filter((e) => e.subject === 'room1').map((e) => e.type)).toEqual(['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Update']);
  });

  it('names every page of docs/ in its Documentation list', () => {
    const listed = [...section('Documentation').matchAll(/\(docs\/([a-z0-9-]+\.md)\)/g)].map((m) => m[1]).sort();
    const pages = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort();
    expect(listed).toEqual(pages);
  });
});
