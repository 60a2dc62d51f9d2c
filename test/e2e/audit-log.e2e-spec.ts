import { authEnv, mintToken } from '../support/auth';
import { callGateway, until } from '../support/gateway';
import { buildingModels, uniqueDtmiPrefix } from '../support/models';
import { startSystem, type TestSystem } from '../support/system';

/**
 * GET /audit answers questions: newest first, filtered by time range, caller, data action,
 * method, target and outcome, paged; a page reads a bounded number of entries, so a rare match
 * comes back over several short pages rather than one long scan.
 */

interface Entry {
  time: string;
  caller: { id: string };
  action?: string;
  method: string;
  path: string;
  status: number;
  outcome: string;
  sequence: number;
}

const prefix = uniqueDtmiPrefix();
const models = buildingModels(prefix);
const room = () => ({ $metadata: { $model: models.room['@id'] }, thermostat: { $metadata: {} } });

let system: TestSystem;
let alice: Record<string, string>;
let bob: Record<string, string>;
/** Everything written, as the audit log should show it, oldest first. */
let everything: Entry[];

const audit = async (query: string, pageSize = 1000) => {
  const res = await callGateway(system.gatewayUrl, 'GET', `/audit${query}`, undefined, { ...alice, 'max-items-per-page': String(pageSize) });
  expect(res.status).toBe(200);
  return res.body as { value: Entry[]; nextLink: string | null };
};

/** Follows nextLinks to the end; returns every entry and how many pages it took. */
async function allPages(query: string, pageSize: number): Promise<{ entries: Entry[]; pages: number }> {
  let page = await audit(query, pageSize);
  const entries = [...page.value];
  let pages = 1;
  while (page.nextLink) {
    const res = await fetch(page.nextLink, { headers: { ...alice, 'max-items-per-page': String(pageSize) } });
    page = await res.json() as typeof page;
    entries.push(...page.value);
    pages++;
  }
  return { entries, pages };
}

const line = (e: Entry) => `${e.caller.id} ${e.method} ${e.path} ${e.outcome}`;

beforeAll(async () => {
  system = await startSystem({ without: ['query', 'router'], overrides: authEnv({ AUDIT_SCAN_LIMIT: '100' }) });
  alice = { authorization: `Bearer ${await mintToken({ sub: 'alice', roles: ['DataOwner'] })}` };
  bob = { authorization: `Bearer ${await mintToken({ sub: 'bob', roles: ['DataReader'] })}` };
  const as = (who: Record<string, string>, method: string, route: string, body?: unknown) => callGateway(system.gatewayUrl, method, route, body, who);

  expect((await as(alice, 'POST', '/models', models.all)).status).toBe(201);
  expect((await as(alice, 'PUT', '/digitaltwins/a1', room())).status).toBe(200);
  expect((await as(alice, 'PUT', '/digitaltwins/a2', room())).status).toBe(200);
  expect((await as(alice, 'PUT', '/digitaltwins/a1/relationships/r1', { $relationshipName: 'contains', $targetId: 'a2' })).status).toBe(200);
  expect((await as(bob, 'PATCH', '/digitaltwins/a1', [{ op: 'add', path: '/Temperature', value: 1 }])).status).toBe(403);
  // 120 failed writes by alice, then one by bob: more than one page's scan.
  for (let i = 0; i < 120; i++) expect((await as(alice, 'PUT', `/digitaltwins/bad-${i}`, { $metadata: { $model: 'dtmi:no:Such;1' } })).status).toBe(400);
  expect((await as(bob, 'DELETE', '/digitaltwins/a2')).status).toBe(403);
  expect((await as(alice, 'PATCH', '/digitaltwins/a1', [{ op: 'add', path: '/Temperature', value: 2 }])).status).toBe(204);
  expect((await as(alice, 'DELETE', '/digitaltwins/a1/relationships/r1')).status).toBe(204);
  expect((await as(alice, 'DELETE', `/models/${encodeURIComponent(models.floor['@id'])}`)).status).toBe(204);
  const count = 1 + 3 + 1 + 120 + 1 + 3;
  await until(async () => (await allPages('?order=asc', 1000)).entries.length >= count);
  everything = (await allPages('?order=asc', 1000)).entries;
  expect(everything.length).toBe(count);
}, 120_000);

afterAll(() => system?.stop());

describe('GET /audit', () => {
  it('lists newest first by default, oldest first with order=asc', async () => {
    const newest = (await allPages('', 1000)).entries;
    expect(newest.map(line)).toEqual([...everything].reverse().map(line));
    expect(line(newest[0])).toBe(`alice DELETE /models/${encodeURIComponent(models.floor['@id'])} succeeded`);
    expect(everything.map((e) => e.sequence)).toEqual([...everything.map((e) => e.sequence)].sort((a, b) => a - b));
  });

  it('pages through all of it with nextLink, in either order', async () => {
    const desc = await allPages('', 7);
    expect(desc.pages).toBe(Math.ceil(everything.length / 7));
    expect(desc.entries.map((e) => e.sequence)).toEqual([...everything].reverse().map((e) => e.sequence));
    const asc = await allPages('?order=asc', 50);
    expect(asc.entries.map((e) => e.sequence)).toEqual(everything.map((e) => e.sequence));
  });

  it('filters by caller and outcome; a rare match comes over short pages within the scan limit', async () => {
    const bobs = await allPages('?caller=bob', 10);
    expect(bobs.entries.map(line)).toEqual(['bob DELETE /digitaltwins/a2 denied', 'bob PATCH /digitaltwins/a1 denied']);
    // 130 entries, at most 100 read per page: bob's older entry is found on the second page.
    expect(bobs.pages).toBe(2);
    const denied = await allPages('?outcome=denied&order=asc', 10);
    expect(denied.entries.map(line)).toEqual(['bob PATCH /digitaltwins/a1 denied', 'bob DELETE /digitaltwins/a2 denied']);
    expect((await allPages('?outcome=failed', 1000)).entries).toHaveLength(120);
  });

  it('filters by data action (exact or a pattern), method and target', async () => {
    const rel = await allPages('?action=digitaltwins/relationships/*&order=asc', 1000);
    expect(rel.entries.map(line)).toEqual(['alice PUT /digitaltwins/a1/relationships/r1 succeeded', 'alice DELETE /digitaltwins/a1/relationships/r1 succeeded']);
    const modelDeletes = await allPages('?action=Microsoft.DigitalTwins/models/delete', 1000);
    expect(modelDeletes.entries).toHaveLength(1);
    const deletes = await allPages('?method=delete&order=asc', 1000);
    expect(deletes.entries.map((e) => e.path)).toEqual(['/digitaltwins/a2', '/digitaltwins/a1/relationships/r1', `/models/${encodeURIComponent(prefixFloor())}`]);
    const a1 = await allPages('?target=/digitaltwins/a1&order=asc', 1000);
    expect(a1.entries.map(line)).toEqual([
      'alice PUT /digitaltwins/a1 succeeded',
      'alice PUT /digitaltwins/a1/relationships/r1 succeeded',
      'bob PATCH /digitaltwins/a1 denied',
      'alice PATCH /digitaltwins/a1 succeeded',
      'alice DELETE /digitaltwins/a1/relationships/r1 succeeded',
    ]);
    // A model id as written, not URL-encoded, finds its entry too.
    expect((await allPages(`?target=${encodeURIComponent(`/models/${prefixFloor()}`)}`, 1000)).entries).toHaveLength(1);
    // Filters combine.
    expect((await allPages('?target=digitaltwins/a1&caller=alice&method=PATCH', 1000)).entries.map(line)).toEqual(['alice PATCH /digitaltwins/a1 succeeded']);
  });

  it('filters by time range, from inclusive and to exclusive, in both orders', async () => {
    const from = everything[3].time;
    const to = everything[everything.length - 3].time;
    const expected = everything.filter((e) => e.time >= from && e.time < to).map((e) => e.sequence);
    expect(expected.length).toBeGreaterThan(100);
    const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    expect((await allPages(`?${range}&order=asc`, 40)).entries.map((e) => e.sequence)).toEqual(expected);
    expect((await allPages(`?${range}`, 40)).entries.map((e) => e.sequence)).toEqual([...expected].reverse());
    expect((await audit(`?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).value).toEqual([]);
  });

  it('refuses filters that do not parse with InvalidArgument', async () => {
    for (const query of ['?from=yesterday', '?outcome=maybe', '?order=sideways', '?method=FETCH', '?continuationToken=abc', `?from=${encodeURIComponent(everything[5].time)}&to=${encodeURIComponent(everything[2].time)}`]) {
      const res = await callGateway(system.gatewayUrl, 'GET', `/audit${query}`, undefined, alice);
      expect([query, res.status, res.code]).toEqual([query, 400, 'InvalidArgument']);
    }
  });
});

function prefixFloor(): string {
  return models.floor['@id'];
}
