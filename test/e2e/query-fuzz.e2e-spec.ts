import { QueryGenerator } from '../../libs/query/src/testing/query-generator';
import { Random } from '../../libs/query/src/testing/random';
import { queryModels, queryRelationships, queryTwins } from '../support/query-fixture';
import { startSystem, type TestSystem } from '../support/system';

const CASES = Number(process.env.QUERY_FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.QUERY_FUZZ_SEED ?? 20261126);

const JUNK = [';', '--', "'", "\\'", '"', '/*', '*/', '(', ')', '[', ']', '[[', ']]', ',', '.', '$', '*', '..', '->', '<-', '|',
  'DROP TABLE twins.twins', "'; DELETE FROM twins.twins; --", 'pg_sleep(10)', '\u0000', '😀', 'ß', '\u202e', 'NULL', 'SELECT', 'FROM', 'WHERE',
  'JOIN', 'MATCH', 'RELATED', 'AND', 'OR', 'NOT', 'IN', '=', '!=', '<=', '>', '1e309', '-0', '9'.repeat(400), 'x'.repeat(5000)];

/** Valid queries from the generator, then mutated: tokens dropped, junk inserted, nesting deepened. */
function fuzzQueries(count: number): string[] {
  const random = new Random(SEED);
  const generator = new QueryGenerator(random);
  const out: string[] = [];
  while (out.length < count) {
    let q = generator.query();
    const mutations = random.int(0, 3);
    for (let i = 0; i < mutations; i++) {
      const at = random.int(0, q.length);
      switch (random.int(0, 3)) {
        case 0: q = q.slice(0, at) + random.pick(JUNK) + q.slice(at); break;
        case 1: q = q.slice(0, at) + q.slice(Math.min(q.length, at + random.int(1, 12))); break;
        case 2: q = `${q.slice(0, at)}${'('.repeat(random.int(1, 300))}${q.slice(at)}`; break;
        default: q = q.split(' ').sort(() => random.next() - 0.5).join(' ');
      }
    }
    out.push(q);
  }
  return out;
}

/** 10,000 generated and mutated queries through POST /query: an answer for each, never a 5xx. */
describe('POST /query under fuzzing', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ without: ['router'] });
    await post('/models', queryModels);
    for (const [id, twin] of Object.entries(queryTwins)) await put(`/digitaltwins/${id}`, twin);
    for (const [source, relId, name, target, props] of queryRelationships) {
      await put(`/digitaltwins/${source}/relationships/${relId}`, { $targetId: target, $relationshipName: name, ...props });
    }
  });
  afterAll(() => system?.stop());

  async function post(route: string, body: unknown) {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, code: res.headers.get('x-ms-error-code'), body: text };
  }
  const put = (route: string, body: unknown) =>
    fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.arrayBuffer());

  it(`answers ${CASES} fuzzed queries with 200 or a 400 ADT error, and the graph is intact afterwards`, async () => {
    const queries = fuzzQueries(CASES);
    const outcomes = new Map<string, number>();
    const failures: { query: string; status: number; body: string }[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < queries.length) {
        const query = queries[next++];
        const res = await post('/query', { query });
        const key = `${res.status} ${res.code ?? ''}`.trim();
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        const acceptable = res.status === 200 || (res.status === 400 && ['SqlQueryError', 'BadRequest', 'InvalidArgument', 'TimeoutError'].includes(res.code ?? ''));
        if (!acceptable && failures.length < 10) failures.push({ query, status: res.status, body: res.body.slice(0, 300) });
      }
    }));
    console.log(`query fuzz (seed ${SEED}): ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(failures).toEqual([]);
    const count = await post('/query', { query: 'SELECT COUNT() FROM DIGITALTWINS' });
    expect(JSON.parse(count.body).value).toEqual([{ COUNT: Object.keys(queryTwins).length }]);
  }, 300_000);
});
