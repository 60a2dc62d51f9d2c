import { compileQuery, takePage } from '@odt/query';
import { Pool } from 'pg';
import { loadQueryConfig } from '../../apps/query-service/src/config';
import { QueryRepository } from '../../apps/query-service/src/query/query.repository';
import { Random } from '../../libs/query/src/testing/random';
import { cleanup, migrate, newIsolation, type TestIsolation } from '../support/system';

const CASES = Number(process.env.PROPERTY_INDEX_CASES ?? 10_000);
const SEED = Number(process.env.PROPERTY_INDEX_SEED ?? 20261205);

/** Names documents and queries share, so that filters meet values: plain, unicode, array-index-like, system. */
const NAMES = ['a', 'b', 'n', 's', 'é', '0', '$metadata', 'k'.repeat(600)];
/** Strings that sort next to one another: prefixes, code point extremes, past the index's 200-character prefix. */
const STRINGS = ['', 'a', 'ab', 'abc', 'b', 'B', 'é', '😀', '\u{10ffff}', `a\u{10ffff}`, `a\u{10ffff}b`, "it's", '25', 'true', 'null',
  `${'x'.repeat(199)}a`, `${'x'.repeat(200)}a`, `${'x'.repeat(200)}b`, `${'x'.repeat(250)}`, `${'x'.repeat(300)}a`];
/** Number literals as JSON writes them (25, 25.0 and 2.5e1 are one number). */
const NUMBERS = ['0', '-0', '1', '-1', '25', '25.0', '2.5e1', '2.5', '-0.5', '1000', '1e-7', '123456789012345678901234567890'];

/** Random JSON documents as text, so number spellings survive. */
class DocumentGenerator {
  constructor(private readonly random: Random) {}

  document(): string {
    return this.object(0, true);
  }

  /** A number, string, boolean, null or array. */
  scalar(): string {
    return this.random.chance(0.2) ? `[${this.value(3)}]` : this.value(3);
  }

  private object(depth: number, top = false): string {
    const r = this.random;
    const keys = new Set(Array.from({ length: r.int(top ? 1 : 0, 5) }, () => r.pick(NAMES)));
    if (top) keys.delete('$metadata');
    const members = [...keys].map((key) => `${JSON.stringify(key)}: ${this.value(depth + 1)}`);
    if (top && r.chance(0.5)) members.push(`"$metadata": {"$model": "dtmi:m;1", "a": {"lastUpdateTime": "x"}, "n": ${r.pick(NUMBERS)}}`);
    return `{${members.join(', ')}}`;
  }

  private value(depth: number): string {
    const r = this.random;
    switch (r.int(0, depth >= 3 ? 3 : 5)) {
      case 0:
        return r.pick(NUMBERS);
      case 1:
        return JSON.stringify(r.pick(STRINGS));
      case 2:
        return r.pick(['true', 'false', 'null']);
      case 3:
        return r.chance(0.5) ? JSON.stringify(r.pick(STRINGS)) : r.pick(NUMBERS);
      case 4:
        return `[${Array.from({ length: r.int(0, 3) }, () => (r.chance(0.3) ? this.object(depth) : this.value(3))).join(', ')}]`;
      default:
        return this.object(depth);
    }
  }
}

/** Random WHERE clauses over the same names and values, every comparison the language has. */
class FilterGenerator {
  constructor(private readonly random: Random) {}

  condition(depth = 0): string {
    const r = this.random;
    if (depth < 3 && r.chance(0.3)) {
      return `(${Array.from({ length: r.int(2, 3) }, () => this.condition(depth + 1)).join(r.pick([' AND ', ' OR ']))})`;
    }
    if (depth < 3 && r.chance(0.08)) return `NOT ${this.condition(depth + 1)}`;
    const path = this.path();
    switch (r.int(0, 5)) {
      case 0:
      case 1:
        return `${path} ${r.pick(['=', '!=', '<', '>', '<=', '>='])} ${this.literal()}`;
      case 2:
        return `${path} ${r.pick(['IN', 'NIN'])} [${Array.from({ length: r.int(0, 4) }, () => this.literal()).join(', ')}]`;
      case 3:
        return `${r.pick(['IS_DEFINED', 'IS_NULL', 'IS_BOOL', 'IS_NUMBER', 'IS_STRING', 'IS_OBJECT', 'IS_PRIMITIVE'])}(${path})`;
      case 4:
        return `${r.pick(['STARTSWITH', 'STARTSWITH', 'ENDSWITH', 'CONTAINS'])}(${path}, ${this.string(r.chance(0.3))})`;
      default:
        return r.chance(0.5) ? `IS_OF_MODEL('dtmi:m;1')` : `ARRAY_CONTAINS(${path}, ${this.literal()})`;
    }
  }

  private path(): string {
    const r = this.random;
    const segments = Array.from({ length: r.int(1, 3) }, () => r.pick(NAMES));
    return `T.${segments.map((s) => (/^[a-z]+$/.test(s) ? s : `[[${s}]]`)).join('.')}`;
  }

  private literal(): string {
    const r = this.random;
    switch (r.int(0, 3)) {
      case 0:
        return r.pick(NUMBERS);
      case 1:
        return r.pick(['true', 'false', 'null']);
      default:
        return this.string(false);
    }
  }

  /** A string literal; `prefix`: the beginning of one of the strings (STARTSWITH's natural argument). */
  private string(prefix: boolean): string {
    const r = this.random;
    const text = r.pick(STRINGS);
    const chosen = prefix ? Array.from(text).slice(0, r.int(0, Array.from(text).length)).join('') : text;
    return `'${chosen.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
}

/**
 * The property index must never change an answer: each generated query's rows through the index
 * equal its rows from the exact predicates on the documents, over generated documents that were
 * inserted, updated and deleted through the triggers that keep the index.
 */
describe('property index equivalence on Postgres', () => {
  let iso: TestIsolation;
  let pool: Pool;
  let repo: QueryRepository;

  beforeAll(async () => {
    iso = newIsolation();
    await migrate(iso);
    pool = new Pool({ connectionString: iso.databaseUrl, max: 4 });
    repo = new QueryRepository(loadQueryConfig({ DATABASE_URL: iso.databaseUrl, DATABASE_POOL_SIZE: '4' }));
    const random = new Random(SEED);
    const documents = new DocumentGenerator(random);
    const insert = (ids: string[]) => pool.query(
      `INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document)
       SELECT id, 'dtmi:m;1', '{dtmi:m;1}', gen_random_uuid(), d::jsonb FROM unnest($1::text[], $2::text[]) AS x(id, d)`,
      [ids, ids.map(() => documents.document())],
    );
    // One bulk statement, then single rows; then updates of whole documents and of one member (an
    // object, or a scalar or array as a PATCH writes: the trigger's one-row path), and deletes.
    await insert(Array.from({ length: 300 }, (_, i) => `bulk-${i}`));
    for (let i = 0; i < 100; i++) await insert([`single-${i}`]);
    const setMember = (id: string, value: string) => pool.query(`UPDATE twins.twins SET document = document || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`,
      [id, random.pick(NAMES.filter((n) => n !== '$metadata')), value]);
    for (let i = 0; i < 300; i++) {
      const id = random.chance(0.5) ? `bulk-${random.int(0, 299)}` : `single-${random.int(0, 99)}`;
      const change = random.int(0, 2);
      if (change === 0) await pool.query(`UPDATE twins.twins SET document = $2::jsonb WHERE id = $1`, [id, documents.document()]);
      else if (change === 1) await setMember(id, documents.document());
      else await setMember(id, documents.scalar());
    }
    await pool.query(`UPDATE twins.twins SET document = document - 'a' WHERE id LIKE 'bulk-1%'`);
    await pool.query(`DELETE FROM twins.twins WHERE id LIKE 'bulk-2%'`);
    await pool.query('ANALYZE twins.twins');
    await pool.query('ANALYZE twins.twin_properties');
  }, 120_000);

  afterAll(async () => {
    await repo?.onApplicationShutdown();
    await pool?.end();
    if (iso) await cleanup(iso);
  });

  it('holds exactly the properties of every twin after inserts, updates and deletes', async () => {
    const { rows } = await pool.query(`
      (SELECT twin_id, path, kind, num, str, bool FROM twins.twin_properties
       EXCEPT ALL SELECT t.id, p.* FROM twins.twins t, twins.document_properties(t.document) p)
      UNION ALL
      (SELECT t.id, p.* FROM twins.twins t, twins.document_properties(t.document) p
       EXCEPT ALL SELECT twin_id, path, kind, num, str, bool FROM twins.twin_properties)`);
    expect(rows).toEqual([]);
    const { rows: [counts] } = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT twin_id)::int AS twins FROM twins.twin_properties`);
    expect(counts.twins).toBeGreaterThan(250);
    // Not indexed: $metadata, array items, paths over 1,000 bytes.
    const { rows: skipped } = await pool.query(`SELECT path FROM twins.twin_properties WHERE '$metadata' = ANY(path) OR octet_length(array_to_string(path, '')) > 1000`);
    expect(skipped).toEqual([]);
  });

  /**
   * The query's rows, on pages of 1,000 (more than the twins) or in one piece; through the index,
   * a page starts from the matching twins when they are at most `maxCandidates`, else walks them.
   */
  async function ids(query: string, index: boolean, paged: boolean, maxCandidates: number): Promise<string[]> {
    const page = paged ? { limit: 1000 } : undefined;
    const compiled = compileQuery(query, index ? { page, maxCandidates } : { page, tables: { twinProperties: '' } });
    const { value } = takePage(compiled, await repo.run(compiled.sql, compiled.params, compiled.customPlan));
    return value.map((row) => JSON.stringify(JSON.parse(row)));
  }

  /** Every row of the query through the index, following pages of `limit` as a client follows continuation tokens. */
  async function pagedIds(query: string, limit: number, maxCandidates: number): Promise<{ ids: string[]; pages: number }> {
    const all: string[] = [];
    let after: unknown[] | undefined;
    for (let pages = 1; pages < 1000; pages++) {
      const compiled = compileQuery(query, { page: { limit, after, returnedSoFar: all.length }, maxCandidates });
      const taken = takePage(compiled, await repo.run(compiled.sql, compiled.params, compiled.customPlan));
      all.push(...taken.value.map((row) => JSON.stringify(JSON.parse(row))));
      if (!taken.after) return { ids: all, pages };
      after = taken.after;
    }
    throw new Error('too many pages');
  }

  it('pages through range filters without gaps or repeats, from few candidates and from many', async () => {
    const filters = ['T.n > 0', 'T.n >= -1', "T.s < 'b'", 'IS_DEFINED(T.a)', 'T.n >= -1 AND NOT T.n = 25', 'T.n > -1 AND T.n <= 25', "T.s > '' AND T.s != 'ab' AND IS_STRING(T.s)", 'T.n > 0 OR T.b = true', "T.n IN [1, 25, -1, 1000] AND T.$dtId > 'bulk-2'"];
    for (const filter of filters) {
      for (const query of [`SELECT T.$dtId AS id FROM DIGITALTWINS T WHERE ${filter}`, `SELECT TOP(30) T.$dtId AS id FROM DIGITALTWINS T WHERE ${filter}`]) {
        const expected = await ids(query, false, false, 0);
        expect({ query, many: expected.length > (query.includes('TOP') ? 0 : 7) }).toEqual({ query, many: true });
        for (const [limit, maxCandidates] of [[7, 10_000], [7, 3], [1, 10_000], [50, 10_000]]) {
          const paged = await pagedIds(query, limit, maxCandidates);
          expect({ query, limit, maxCandidates, ids: paged.ids }).toEqual({ query, limit, maxCandidates, ids: expected });
          expect(paged.pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
        }
      }
    }
  }, 120_000);

  it(`answers ${CASES} generated queries with the same rows in the same order through the index as without it`, async () => {
    const random = new Random(SEED + 1);
    const filters = new FilterGenerator(random);
    const queries = Array.from({ length: CASES }, () => {
      const where = filters.condition();
      if (random.chance(0.15)) return `SELECT COUNT() FROM DIGITALTWINS T WHERE ${where}`;
      const top = random.chance(0.1) ? `TOP(${random.int(1, 20)}) ` : '';
      const order = random.chance(0.2) ? ` ORDER BY T.${random.pick(['a', 'n', 's'])} DESC` : '';
      return `SELECT ${top}T.$dtId AS id FROM DIGITALTWINS T WHERE ${where}${order}`;
    });
    const mismatches: { query: string; index: string[]; documents: string[] }[] = [];
    let indexed = 0;
    let nonEmpty = 0;
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < queries.length) {
        const query = queries[next++];
        if (compileQuery(query).customPlan) indexed++;
        const paged = next % 3 !== 0;
        const maxCandidates = next % 2 === 0 ? 10_000 : next % 50;
        const [withIndex, withoutIndex] = [await ids(query, true, paged, maxCandidates), await ids(query, false, paged, maxCandidates)];
        if (withoutIndex.length > 0 && !withoutIndex[0].startsWith('{"COUNT":0')) nonEmpty++;
        if (JSON.stringify(withIndex) !== JSON.stringify(withoutIndex) && mismatches.length < 5) {
          mismatches.push({ query, index: withIndex.slice(0, 5), documents: withoutIndex.slice(0, 5) });
        }
      }
    }));
    console.log(`property index equivalence (seed ${SEED}): ${CASES} queries, ${indexed} through the index, ${nonEmpty} with rows`);
    expect(mismatches).toEqual([]);
    expect(indexed).toBeGreaterThan(CASES * 0.4);
    expect(nonEmpty).toBeGreaterThan(CASES * 0.3);
  }, 600_000);
});
