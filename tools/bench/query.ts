import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileQuery, pageJson, takePage } from '@odt/query';
import { Pool } from 'pg';
import { loadQueryConfig } from '../../apps/query-service/src/config';
import { QueryRepository } from '../../apps/query-service/src/query/query.repository';
import { startBenchSystem } from './bench-system';
import { closedLoop, httpClient, table, type LoadResult } from './load';
import { ProcessCpu } from './process-cpu';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/**
 * Then one client alone for this long (0: not at all): latency as a user sees it. With 16 clients
 * on a few cores, p50 is mostly queueing (about 16 / throughput).
 */
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 5);
/** Twins per building: itself, 10 floors, 200 rooms, 800 sensors; 1,535 relationships. */
const TWINS_PER_BUILDING = 1011;
const PLANS_DIR = path.join(__dirname, 'plans');
const API = '?api-version=2023-10-31';
const P = 'dtmi:bench:q';

/** RealEstateCore-like: Building, Floor and Room extend Space; sensors are Capabilities. */
const MODELS = [
  {
    '@id': `${P}:Space;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3',
    contents: [
      { '@type': 'Property', name: 'name', schema: 'string' },
      { '@type': 'Property', name: 'area', schema: 'double' },
      { '@type': 'Relationship', name: 'hasPart', target: `${P}:Space;1` },
      { '@type': 'Relationship', name: 'isLocationOf', target: `${P}:Capability;1` },
    ],
  },
  { '@id': `${P}:Building;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', extends: `${P}:Space;1` },
  { '@id': `${P}:Floor;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', extends: `${P}:Space;1` },
  {
    '@id': `${P}:Room;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', extends: `${P}:Space;1`,
    contents: [{ '@type': 'Property', name: 'occupied', schema: 'boolean' }],
  },
  {
    '@id': `${P}:Capability;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3',
    contents: [
      { '@type': 'Property', name: 'Temperature', schema: 'double' },
      { '@type': 'Relationship', name: 'feeds', target: `${P}:Capability;1` },
    ],
  },
  { '@id': `${P}:TemperatureSensor;1`, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', extends: `${P}:Capability;1` },
];

const rnd = (n: number) => Math.floor(Math.random() * n);

/** The scenarios, each a query generator over `buildings` buildings (a fresh anchor per call). */
function scenarios(buildings: number): [string, () => string][] {
  const floorId = () => `floor-${rnd(buildings)}-${rnd(10)}`;
  const roomId = () => `room-${rnd(buildings)}-${rnd(10)}-${rnd(20)}`;
  return [
    ['(a) $dtId lookup', () => `SELECT * FROM DIGITALTWINS T WHERE T.$dtId = '${roomId()}'`],
    ['(b) filter + IS_OF_MODEL(base)', () => `SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${P}:Space;1') AND T.name = '${roomId()}'`],
    ['(c) anchored 2-JOIN', () => `SELECT R, S FROM DIGITALTWINS F JOIN R RELATED F.hasPart JOIN S RELATED R.isLocationOf WHERE F.$dtId = '${floorId()}'`],
    ['(d) MATCH *..3 from anchor', () => `SELECT F, X FROM DIGITALTWINS MATCH (F)-[*..3]->(X) WHERE F.$dtId = '${floorId()}'`],
    ['(e) COUNT() all twins', () => 'SELECT COUNT() FROM DIGITALTWINS'],
    ['(f) anchor-free JOIN + filter', () => `SELECT R, S FROM DIGITALTWINS R JOIN S RELATED R.isLocationOf WHERE S.Temperature > 39.98 OPTION (EXTENDED)`],
    // Temperatures are uniform in [15, 40) on 80 % of the twins: > 39.75 selects 0.8 % of them.
    ['(g) range filter, 0.8 % of twins', () => `SELECT * FROM DIGITALTWINS T WHERE T.Temperature > 39.75`],
    ['(h) COUNT() of a range filter', () => `SELECT COUNT() FROM DIGITALTWINS T WHERE T.Temperature > 39.75`],
  ];
}

/**
 * `npm run bench -- query [--twins 1000000]`: a generated graph of ~100,000 twins and ~150,000
 * relationships; each scenario through the gateway (POST /query, 16 clients), then the same SQL
 * straight on Postgres, run as the query service runs it (its repository: read-only sessions,
 * prepared statements, rows as JSON text), so the ratio is what the gateway, NATS and the service
 * add; then both again with one client alone (`BENCH_SINGLE_SECONDS`, 5 s; 0 skips it), the
 * latency a user sees, where the 16-client p50 is mostly queueing. With `--twins N` (N > 100,000) the graph then grows to N twins and every scenario runs again;
 * the two sizes are reported side by side. The plans of each scenario's SQL at each size
 * (`EXPLAIN (ANALYZE, BUFFERS)`) are written to tools/bench/plans/.
 */
export async function benchQuery(args: string[] = []): Promise<void> {
  const sizeArg = args.indexOf('--twins');
  const sizes = [100_000, ...(sizeArg >= 0 ? [Number(args[sizeArg + 1])] : [])].filter((n, i, all) => all.indexOf(n) === i);
  const system = await startBenchSystem(['models-service', 'twins-service', 'relationships-service', 'query-service', 'gateway']);
  const runs: { generated: Generated; load: string; results: LoadResult[]; single: LoadResult[]; cpuPerQuery: { name: string; ms: Record<string, { ms: number; systemMs: number }> }[] }[] = [];
  try {
    const call = httpClient(system.gatewayUrl, CONCURRENCY);
    if ((await call('POST', `/models${API}`, MODELS)) !== 201) throw new Error('model upload failed');
    const pool = new Pool({ connectionString: system.databaseUrl, max: CONCURRENCY });
    const raw = new QueryRepository(loadQueryConfig({ DATABASE_URL: system.databaseUrl, DATABASE_POOL_SIZE: String(CONCURRENCY) }));
    let buildings = 0;
    for (const size of sizes) {
      const target = Math.ceil(size / TWINS_PER_BUILDING);
      const started = Date.now();
      const generated = await generateGraph(pool, buildings, target);
      console.log(`graph: ${generated.twins} twins, ${generated.relationships} relationships (${((Date.now() - started) / 1000).toFixed(0)} s to add ${target - buildings} buildings)`);
      buildings = target;
      const load0 = os.loadavg();
      const results: LoadResult[] = [];
      const single: LoadResult[] = [];
      const cpuPerQuery: { name: string; ms: Record<string, { ms: number; systemMs: number }> }[] = [];
      // BENCH_QUERY_SCENARIOS=ace runs only those (letters of the scenario names).
      const only = process.env.BENCH_QUERY_SCENARIOS;
      const chosen = scenarios(buildings).filter(([n]) => !only || only.includes(n[1]));
      for (const [name, next] of chosen) {
        // Unmeasured first: the services' code paths warm up (JIT, caches, prepared statements).
        if (WARMUP_SECONDS > 0) await closedLoop(`${name} warm-up`, CONCURRENCY, WARMUP_SECONDS, () => call('POST', `/query${API}`, { query: next() }));
        let cpu = ProcessCpu.start({ gateway: system.pids.gateway, 'query-service': system.pids['query-service'] });
        results.push(await closedLoop(`${name} gateway`, CONCURRENCY, SECONDS, () => call('POST', `/query${API}`, { query: next() })));
        cpuPerQuery.push({ name: `${name} gateway`, ms: cpu.perOperation(results[results.length - 1].ok) });
        cpu = ProcessCpu.start({});
        const rawQuery = async () => {
          const compiled = compileQuery(next(), { page: { limit: 100 } });
          pageJson(takePage(compiled, await raw.run(compiled.sql, compiled.params, compiled.customPlan)).value);
          return true;
        };
        results.push(await closedLoop(`${name} raw SQL`, CONCURRENCY, SECONDS, rawQuery));
        cpuPerQuery.push({ name: `${name} raw SQL`, ms: cpu.perOperation(results[results.length - 1].ok) });
        if (SINGLE_SECONDS > 0) {
          single.push(await closedLoop(`${name} gateway`, 1, SINGLE_SECONDS, () => call('POST', `/query${API}`, { query: next() })));
          single.push(await closedLoop(`${name} raw SQL`, 1, SINGLE_SECONDS, rawQuery));
        }
      }
      const load = `load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
      runs.push({ generated, load, results, single, cpuPerQuery });
      // The committed plan snapshots hold every scenario: a partial run leaves them as they are.
      if (!only) await writePlans(pool, generated, chosen);
    }
    await raw.onApplicationShutdown();
    await pool.end();
    for (const { generated, load, results, single, cpuPerQuery } of runs) {
      console.log(`\nQuery benchmark: ${generated.twins} twins, ${generated.relationships} relationships, ${CONCURRENCY} clients, ${SECONDS} s each, ${os.cpus().length} cores`);
      console.log(load);
      console.log(table(results));
      if (single.length > 0) console.log(`\n${CONCURRENCY} clients beside 1 client alone (${SINGLE_SECONDS} s each):\n${besideOneClient(results, single)}`);
      for (let i = 0; i < results.length; i += 2) {
        console.log(`${results[i].name.replace(/ gateway$/, '')}: gateway/raw = ${(results[i].perSecond / results[i + 1].perSecond).toFixed(2)}`);
      }
      console.log('\nCPU ms per query by process, of which in the kernel (/proc; Postgres counts every session on the machine):');
      for (const { name, ms } of cpuPerQuery) console.log(`${name.padEnd(40)} ${Object.entries(ms).filter(([, v]) => v.ms > 0).map(([k, v]) => `${k} ${v.ms.toFixed(3)} (${v.systemMs.toFixed(3)})`).join(', ')}`);
    }
    if (runs.length > 1) console.log(`\n${sideBySide(runs)}`);
    console.log(JSON.stringify(runs));
  } finally {
    await system.stop();
  }
}

/** Each scenario's throughput and latency with every client, beside its latency with one client alone. */
function besideOneClient(results: LoadResult[], single: LoadResult[]): string {
  const head = ['scenario', `${CONCURRENCY} clients: ops/s`, 'p50 ms', 'p99 ms', '1 client: ops/s', 'p50 ms', 'p99 ms'];
  const rows = results.map((r) => {
    const alone = single.find((s) => s.name === r.name);
    return [r.name, r.perSecond, r.p50, r.p99, ...(alone ? [alone.perSecond, alone.p50, alone.p99] : ['', '', ''])].map(String);
  });
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * Gateway figures of each scenario at each size (16 clients; one client alone where it ran), and
 * the p99 growth from the first size to the last.
 */
function sideBySide(runs: { generated: Generated; results: LoadResult[]; single: LoadResult[] }[]): string {
  const gateway = runs.map(({ results }) => results.filter((r) => r.name.endsWith(' gateway')));
  const alone = (run: number, name: string) => runs[run].single.find((r) => r.name === name);
  const head = ['scenario (gateway)', ...runs.map(({ generated }) => `${generated.twins} twins: ops/s, p50 / p99 ms; 1 client p50 / p99 ms`), 'p99 ratio', '1 client p99 ratio'];
  const rows = gateway[0].map((first, i) => {
    const [one, last] = [alone(0, first.name), alone(runs.length - 1, first.name)];
    return [
      first.name.replace(/ gateway$/, ''),
      ...gateway.map((results, run) => {
        const single = alone(run, first.name);
        return `${results[i].perSecond}/s, ${results[i].p50} / ${results[i].p99}; ${single ? `${single.p50} / ${single.p99}` : '–'}`;
      }),
      (gateway[gateway.length - 1][i].p99 / first.p99).toFixed(2),
      one && last ? (last.p99 / one.p99).toFixed(2) : '–',
    ];
  });
  return [head, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of one query of each scenario, as the query service plans it. */
async function writePlans(pool: Pool, generated: Generated, chosen: [string, () => string][]): Promise<void> {
  const sections: string[] = [`# Query plans at ${generated.twins} twins, ${generated.relationships} relationships`, '',
    'Written by `npm run bench -- query`: one query of each scenario, its first page (100 rows), planned as the query service plans it',
    '(values known to the planner when the query reads the property index; a prepared statement\'s plan otherwise, shown here with its values).', ''];
  const client = await pool.connect();
  try {
    for (const [name, next] of chosen) {
      const query = next();
      const compiled = compileQuery(query, { page: { limit: 100 } });
      await client.query({ text: compiled.sql, values: compiled.params });
      const { rows } = await client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, values: compiled.params });
      sections.push(`## ${name}`, '', '```sql', query, '```', '', '```', ...rows.map((r) => r['QUERY PLAN']), '```', '');
    }
  } finally {
    client.release();
  }
  mkdirSync(PLANS_DIR, { recursive: true });
  writeFileSync(path.join(PLANS_DIR, `query-${generated.twins}.md`), sections.join('\n'));
}

interface Generated {
  twins: number;
  relationships: number;
}

/**
 * Writes buildings `from`..`to - 1` and everything in them straight into the services' tables (a
 * bulk load, 100 buildings per statement; events are not the point here). The twins' triggers
 * keep the twin count and the property index as for any write.
 */
export async function generateGraph(pool: Pool, from: number, to: number): Promise<Generated> {
  for (let first = from; first < to; first += 100) await generateBuildings(pool, first, Math.min(first + 100, to) - 1);
  // As autovacuum would after a bulk insert: statistics, and the visibility map that lets COUNT()
  // read an index alone.
  await pool.query('VACUUM ANALYZE twins.twins');
  await pool.query('VACUUM ANALYZE twins.twin_properties');
  await pool.query('VACUUM ANALYZE relationships.relationships');
  // The bulk load's dirty pages are written now, not during the first scenario.
  await pool.query('CHECKPOINT');
  const twins = Number((await pool.query('SELECT count(*) AS n FROM twins.twins')).rows[0].n);
  const relationships = Number((await pool.query('SELECT count(*) AS n FROM relationships.relationships')).rows[0].n);
  return { twins, relationships };
}

async function generateBuildings(pool: Pool, first: number, last: number): Promise<void> {
  const meta = (model: string) => `jsonb_build_object('$model', '${P}:${model};1', '$lastUpdateTime', '2026-01-01T00:00:00.0000000Z')`;
  const ancestry = (model: string, base: string) => `ARRAY['${P}:${model};1', '${P}:${base};1']`;
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'building-' || b, '${P}:Building;1', ${ancestry('Building', 'Space')}, gen_random_uuid(),
      jsonb_build_object('name', 'building-' || b, 'area', 1000 + b, '$metadata', ${meta('Building')})
    FROM generate_series(${first}, ${last}) b`);
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'floor-' || b || '-' || f, '${P}:Floor;1', ${ancestry('Floor', 'Space')}, gen_random_uuid(),
      jsonb_build_object('name', 'floor-' || b || '-' || f, 'area', 100 + f, '$metadata', ${meta('Floor')})
    FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f`);
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'room-' || b || '-' || f || '-' || r, '${P}:Room;1', ${ancestry('Room', 'Space')}, gen_random_uuid(),
      jsonb_build_object('name', 'room-' || b || '-' || f || '-' || r, 'area', 10 + r, 'occupied', r % 2 = 0, '$metadata', ${meta('Room')})
    FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f, generate_series(0, 19) r`);
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'sensor-' || b || '-' || f || '-' || r || '-' || s, '${P}:TemperatureSensor;1', ${ancestry('TemperatureSensor', 'Capability')}, gen_random_uuid(),
      jsonb_build_object('Temperature', round((15 + random() * 25)::numeric, 2), '$metadata', ${meta('TemperatureSensor')})
    FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f, generate_series(0, 19) r, generate_series(0, 3) s`);
  const rel = (select: string) => pool.query(`INSERT INTO relationships.relationships (source_id, relationship_id, name, target_id, etag, properties) ${select}`);
  await rel(`SELECT 'building-' || b, 'part-' || f, 'hasPart', 'floor-' || b || '-' || f, gen_random_uuid(), '{}'::jsonb FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f`);
  await rel(`SELECT 'floor-' || b || '-' || f, 'part-' || r, 'hasPart', 'room-' || b || '-' || f || '-' || r, gen_random_uuid(), '{}'::jsonb FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f, generate_series(0, 19) r`);
  await rel(`SELECT 'room-' || b || '-' || f || '-' || r, 'loc-' || s, 'isLocationOf', 'sensor-' || b || '-' || f || '-' || r || '-' || s, gen_random_uuid(), '{}'::jsonb FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f, generate_series(0, 19) r, generate_series(0, 3) s`);
  // Sensors feed a neighbour in the same room and the next room: the graph is not a tree.
  await rel(`SELECT 'sensor-' || b || '-' || f || '-' || r || '-' || s, 'feeds', 'feeds', 'sensor-' || b || '-' || f || '-' || ((r + 1) % 20) || '-' || s, gen_random_uuid(), '{}'::jsonb
    FROM generate_series(${first}, ${last}) b, generate_series(0, 9) f, generate_series(0, 19) r, generate_series(0, 2) s
    WHERE (b + f + r + s) % 8 <> 0`);
}
