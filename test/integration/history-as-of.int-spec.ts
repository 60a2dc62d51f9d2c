import { randomInt } from 'node:crypto';
import { callGateway } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();

/** What the test wrote: the twin's content after each write, and the wall-clock window of the write. */
interface Written {
  before: number;
  after: number;
  /** Undefined: the twin did not exist after this write. */
  content?: Record<string, unknown>;
  etag?: string;
}

/** Properties and components' properties, without `$metadata` (whose times history takes from the events). */
function contentOf(twin: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(twin)) {
    if (k.startsWith('$')) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && '$metadata' in v) {
      const { $metadata: _m, ...rest } = v as Record<string, unknown>;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}

/**
 * A twin written at known moments reads back as of any moment between them, as the test's own
 * record of the writes says it was: values, components, ETag, model; and 404
 * DigitalTwinNotFoundAsOf before it was created and after it was deleted.
 */
describe('history: a twin as of any moment', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem({ without: ['router', 'query'], overrides: { HISTORY_ASOF_WAIT_MS: '10000' } });
  });
  afterAll(() => system?.stop());
  const api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => callGateway(system.gatewayUrl, method, route, body, headers);

  it('answers 1,000 random probes between writes with the state the writes left', async () => {
    const m = buildingModels(uniqueDtmiPrefix());
    expect((await api('POST', '/models', m.all)).status).toBe(201);
    const writes: Written[] = [];
    const record = async (write: () => Promise<{ status: number; etag?: string }>, expectStatus: number) => {
      const before = Date.now();
      const res = await write();
      const after = Date.now();
      expect(res.status).toBe(expectStatus);
      const now = await api('GET', '/digitaltwins/probe');
      writes.push({ before, after, ...(now.status === 200 ? { content: contentOf(now.body), etag: now.body.$etag } : {}) });
      await sleep(randomInt(3, 15));
    };
    const start = Date.now();
    await sleep(20);
    await record(async () => {
      const r = await api('PUT', '/digitaltwins/probe', { $metadata: { $model: m.room['@id'] }, name: 'first', Temperature: 20, thermostat: { $metadata: {}, setPoint: 18 } });
      return { status: r.status };
    }, 200);
    for (let i = 0; i < 60; i++) {
      const choice = i % 6;
      const patch = choice === 0 ? [{ op: 'replace', path: '/Temperature', value: randomInt(0, 40) + 0.5 }]
        : choice === 1 ? [{ op: 'add', path: '/thermostat/setPoint', value: randomInt(10, 30) }]
          : choice === 2 ? [{ op: 'add', path: '/capacity', value: i }, { op: 'replace', path: '/name', value: `name-${i}` }]
            : choice === 3 ? [{ op: 'remove', path: '/capacity' }]
              : choice === 4 ? [{ op: 'add', path: '/occupied', value: i % 4 === 0 }]
                : [{ op: 'replace', path: '/Temperature', value: -i }, { op: 'add', path: '/$metadata/Temperature/sourceTime', value: '2026-01-01T00:00:00Z' }];
      await record(async () => api('PATCH', '/digitaltwins/probe', patch), 204);
    }
    // A replacing PUT (another content), then the delete.
    await record(async () => api('PUT', '/digitaltwins/probe', { $metadata: { $model: m.room['@id'] }, name: 'replaced', thermostat: { $metadata: {}, setPoint: 1 } }), 200);
    await record(async () => api('DELETE', '/digitaltwins/probe'), 204);
    const end = Date.now();

    // Probes: before the creation, in the gaps between writes, after the delete.
    const gaps: { from: number; to: number; expected: Written | undefined }[] = [{ from: start, to: writes[0].before - 1, expected: undefined }];
    for (let i = 0; i < writes.length; i++) {
      const to = i + 1 < writes.length ? writes[i + 1].before - 1 : end;
      if (to > writes[i].after + 1) gaps.push({ from: writes[i].after + 1, to, expected: writes[i] });
    }
    const mismatches: string[] = [];
    for (let p = 0; p < 1000; p++) {
      const gap = gaps[randomInt(gaps.length)];
      const at = gap.from + randomInt(Math.max(1, gap.to - gap.from));
      const useHeader = p % 2 === 1;
      const res = useHeader
        ? await api('GET', '/digitaltwins/probe', undefined, { 'at-historical-timestamp': iso(at) })
        : await api('GET', `/digitaltwins/probe?asOf=${encodeURIComponent(iso(at))}`);
      if (!gap.expected?.content) {
        if (res.status !== 404 || res.code !== 'DigitalTwinNotFoundAsOf') mismatches.push(`${iso(at)}: expected 404, got ${res.status} ${res.code}`);
        continue;
      }
      if (res.status !== 200) {
        mismatches.push(`${iso(at)}: ${res.status} ${JSON.stringify(res.body)}`);
        continue;
      }
      const got = contentOf(res.body);
      if (JSON.stringify(sorted(got)) !== JSON.stringify(sorted(gap.expected.content)) || res.body.$etag !== gap.expected.etag || res.body.$metadata.$model !== m.room['@id']) {
        mismatches.push(`${iso(at)}: got ${JSON.stringify(got)} ${res.body.$etag}, expected ${JSON.stringify(gap.expected.content)} ${gap.expected.etag}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 180_000);

  it('refuses an asOf that is not an instant, or in the future', async () => {
    const bad = await api('GET', '/digitaltwins/probe?asOf=yesterday');
    expect([bad.status, bad.code]).toEqual([400, 'InvalidArgument']);
    const future = await api('GET', `/digitaltwins/probe?asOf=${iso(Date.now() + 3_600_000)}`);
    expect([future.status, future.code]).toEqual([400, 'InvalidArgument']);
  });
});

function sorted(o: Record<string, unknown>): unknown {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, typeof v === 'object' && v !== null && !Array.isArray(v) ? sorted(v as Record<string, unknown>) : v]));
}
