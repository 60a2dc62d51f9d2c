import os from 'node:os';
import { compileQuery, pageJson, takePage } from '@odt/query';
import { Pool } from 'pg';
import { loadQueryConfig } from '../../apps/query-service/src/config';
import { QueryRepository } from '../../apps/query-service/src/query/query.repository';
import { startBenchSystem } from './bench-system';
import { closedLoop, httpClient, table, type LoadResult } from './load';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 100); // × 10 floors × 20 rooms × 4 sensors ≈ 100,000 twins
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
const floorId = () => `floor-${rnd(BUILDINGS)}-${rnd(10)}`;

/** The six scenarios of the issue, each a query generator (a fresh anchor per call). */
const SCENARIOS: [string, () => string][] = [
  ['(a) $dtId lookup', () => `SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room-${rnd(BUILDINGS)}-${rnd(10)}-${rnd(20)}'`],
  ['(b) filter + IS_OF_MODEL(base)', () => `SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${P}:Space;1') AND T.name = 'room-${rnd(BUILDINGS)}-${rnd(10)}-${rnd(20)}'`],
  ['(c) anchored 2-JOIN', () => `SELECT R, S FROM DIGITALTWINS F JOIN R RELATED F.hasPart JOIN S RELATED R.isLocationOf WHERE F.$dtId = '${floorId()}'`],
  ['(d) MATCH *..3 from anchor', () => `SELECT F, X FROM DIGITALTWINS MATCH (F)-[*..3]->(X) WHERE F.$dtId = '${floorId()}'`],
  ['(e) COUNT() all twins', () => 'SELECT COUNT() FROM DIGITALTWINS'],
  ['(f) anchor-free JOIN + filter', () => `SELECT R, S FROM DIGITALTWINS R JOIN S RELATED R.isLocationOf WHERE S.Temperature > 39.98 OPTION (EXTENDED)`],
];

/**
 * `npm run bench -- query`: a generated graph of ~100,000 twins and ~150,000 relationships; each
 * scenario through the gateway (POST /query, 16 clients), then the same SQL straight on Postgres,
 * run as the query service runs it (its repository: read-only sessions, prepared statements, rows
 * as JSON text), so the ratio is what the gateway, NATS and the service add.
 */
export async function benchQuery(): Promise<void> {
  const system = await startBenchSystem(['models-service', 'twins-service', 'relationships-service', 'query-service', 'gateway']);
  const results: LoadResult[] = [];
  try {
    const call = httpClient(system.gatewayUrl, CONCURRENCY);
    if ((await call('POST', `/models${API}`, MODELS)) !== 201) throw new Error('model upload failed');
    const pool = new Pool({ connectionString: system.databaseUrl, max: CONCURRENCY });
    const generated = await generateGraph(pool);
    await pool.end();
    const raw = new QueryRepository(loadQueryConfig({ DATABASE_URL: system.databaseUrl, DATABASE_POOL_SIZE: String(CONCURRENCY) }));
    const load0 = os.loadavg();
    // BENCH_QUERY_SCENARIOS=ace runs only those (letters of the scenario names).
    const only = process.env.BENCH_QUERY_SCENARIOS;
    for (const [name, next] of SCENARIOS.filter(([n]) => !only || only.includes(n[1]))) {
      // Unmeasured first: the services' code paths warm up (JIT, caches, prepared statements).
      if (WARMUP_SECONDS > 0) await closedLoop(`${name} warm-up`, CONCURRENCY, WARMUP_SECONDS, () => call('POST', `/query${API}`, { query: next() }));
      results.push(await closedLoop(`${name} gateway`, CONCURRENCY, SECONDS, () => call('POST', `/query${API}`, { query: next() })));
      results.push(await closedLoop(`${name} raw SQL`, CONCURRENCY, SECONDS, async () => {
        const compiled = compileQuery(next(), { page: { limit: 100 } });
        pageJson(takePage(compiled, await raw.run(compiled.sql, compiled.params, compiled.customPlan)).value);
        return true;
      }));
    }
    await raw.onApplicationShutdown();
    console.log(`\nQuery benchmark: ${generated.twins} twins, ${generated.relationships} relationships, ${CONCURRENCY} clients, ${SECONDS} s each, ${os.cpus().length} cores`);
    console.log(`load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(table(results));
    for (let i = 0; i < results.length; i += 2) {
      console.log(`${results[i].name.replace(/ gateway$/, '')}: gateway/raw = ${(results[i].perSecond / results[i + 1].perSecond).toFixed(2)}`);
    }
    console.log(JSON.stringify({ results, generated }));
  } finally {
    await system.stop();
  }
}

/** Writes the graph straight into the services' tables (a bulk load; events are not the point here). */
export async function generateGraph(pool: Pool): Promise<{ twins: number; relationships: number }> {
  const meta = (model: string) => `jsonb_build_object('$model', '${P}:${model};1', '$lastUpdateTime', '2026-01-01T00:00:00.0000000Z')`;
  const ancestry = (model: string, base: string) => `ARRAY['${P}:${model};1', '${P}:${base};1']`;
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'building-' || b, '${P}:Building;1', ${ancestry('Building', 'Space')}, gen_random_uuid(),
      jsonb_build_object('name', 'building-' || b, 'area', 1000 + b, '$metadata', ${meta('Building')})
    FROM generate_series(0, ${BUILDINGS - 1}) b`);
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'floor-' || b || '-' || f, '${P}:Floor;1', ${ancestry('Floor', 'Space')}, gen_random_uuid(),
      jsonb_build_object('name', 'floor-' || b || '-' || f, 'area', 100 + f, '$metadata', ${meta('Floor')})
    FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f`);
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'room-' || b || '-' || f || '-' || r, '${P}:Room;1', ${ancestry('Room', 'Space')}, gen_random_uuid(),
      jsonb_build_object('name', 'room-' || b || '-' || f || '-' || r, 'area', 10 + r, 'occupied', r % 2 = 0, '$metadata', ${meta('Room')})
    FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f, generate_series(0, 19) r`);
  await pool.query(`INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
    SELECT 'sensor-' || b || '-' || f || '-' || r || '-' || s, '${P}:TemperatureSensor;1', ${ancestry('TemperatureSensor', 'Capability')}, gen_random_uuid(),
      jsonb_build_object('Temperature', round((15 + random() * 25)::numeric, 2), '$metadata', ${meta('TemperatureSensor')})
    FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f, generate_series(0, 19) r, generate_series(0, 3) s`);
  const rel = (select: string) => pool.query(`INSERT INTO relationships.relationships (source_id, relationship_id, name, target_id, etag, properties) ${select}`);
  await rel(`SELECT 'building-' || b, 'part-' || f, 'hasPart', 'floor-' || b || '-' || f, gen_random_uuid(), '{}'::jsonb FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f`);
  await rel(`SELECT 'floor-' || b || '-' || f, 'part-' || r, 'hasPart', 'room-' || b || '-' || f || '-' || r, gen_random_uuid(), '{}'::jsonb FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f, generate_series(0, 19) r`);
  await rel(`SELECT 'room-' || b || '-' || f || '-' || r, 'loc-' || s, 'isLocationOf', 'sensor-' || b || '-' || f || '-' || r || '-' || s, gen_random_uuid(), '{}'::jsonb FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f, generate_series(0, 19) r, generate_series(0, 3) s`);
  // Sensors feed a neighbour in the same room and the next room: the graph is not a tree.
  await rel(`SELECT 'sensor-' || b || '-' || f || '-' || r || '-' || s, 'feeds', 'feeds', 'sensor-' || b || '-' || f || '-' || ((r + 1) % 20) || '-' || s, gen_random_uuid(), '{}'::jsonb
    FROM generate_series(0, ${BUILDINGS - 1}) b, generate_series(0, 9) f, generate_series(0, 19) r, generate_series(0, 2) s
    WHERE (b + f + r + s) % 8 <> 0`);
  // As autovacuum would after a bulk insert: statistics, and the visibility map that lets COUNT()
  // read an index alone.
  await pool.query('VACUUM ANALYZE twins.twins');
  await pool.query('VACUUM ANALYZE relationships.relationships');
  // The bulk load's dirty pages are written now, not during the first scenario.
  await pool.query('CHECKPOINT');
  const twins = Number((await pool.query('SELECT count(*) AS n FROM twins.twins')).rows[0].n);
  const relationships = Number((await pool.query('SELECT count(*) AS n FROM relationships.relationships')).rows[0].n);
  return { twins, relationships };
}
