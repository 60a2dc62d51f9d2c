import { compileQuery } from './compile-query';
import { pageJson, takePage } from './page';
import { domainErrorOf } from '../testing/query-error';

const JOIN = "SELECT T, C FROM DIGITALTWINS T JOIN C RELATED T.contains WHERE T.$dtId = 'a'";

describe('paging', () => {
  it('fetches one row more than the page, to know that another page follows', () => {
    const compiled = compileQuery('SELECT * FROM DIGITALTWINS', { page: { limit: 2 } });
    expect(compiled).toMatchObject({ pageSize: 2, params: [3] });
    expect(compiled.sql).toMatch(/\nLIMIT \$1::bigint$/);
    const rows = ['a', 'b', 'c'].map((id) => ({ row: `{"$dtId":"${id}"}`, key: `["${id}"]` }));
    expect(takePage(compiled, rows)).toEqual({ value: ['{"$dtId":"a"}', '{"$dtId":"b"}'], after: ['b'] });
    expect(takePage(compiled, rows.slice(0, 2))).toEqual({ value: ['{"$dtId":"a"}', '{"$dtId":"b"}'] });
    expect(pageJson(takePage(compiled, rows).value)).toBe('[{"$dtId":"a"},{"$dtId":"b"}]');
  });

  it('starts a page strictly after the last key, as one row comparison when every column ascends', () => {
    const compiled = compileQuery(JOIN, { page: { limit: 10, after: ['a', 'c1', 'a', 'r1'] } });
    expect(compiled.sql).toContain('  AND (t0.id, t1.id, r0.source_id, r0.relationship_id) > ($5::text, $6::text, $7::text, $8::text)');
    expect(compiled.params.slice(4, 8)).toEqual(['a', 'c1', 'a', 'r1']);
  });

  it('expands the comparison when a column descends', () => {
    const compiled = compileQuery('SELECT * FROM DIGITALTWINS T ORDER BY T.x DESC', { page: { limit: 10, after: [3, '1.5', '', 'id'] } });
    expect(compiled.sql).toContain(
      'WHERE (o0.rank < $2::integer OR (o0.rank = $2::integer AND (o0.number < $3::numeric OR (o0.number = $3::numeric AND ' +
        '(o0.text < $4::text OR (o0.text = $4::text AND t0.id > $5::text))))))',
    );
  });

  it('caps the whole result at TOP(n) across pages', () => {
    const top = 'SELECT TOP(5) FROM DIGITALTWINS';
    expect(compileQuery(top)).toMatchObject({ pageSize: 5, params: [5] });
    expect(compileQuery(top, { page: { limit: 2 } })).toMatchObject({ pageSize: 2, params: [3] });
    expect(compileQuery(top, { page: { limit: 2, after: ['x'], returnedSoFar: 4 } })).toMatchObject({ pageSize: 1, params: ['x', 1] });
    expect(compileQuery(top, { page: { limit: 2, after: ['x'], returnedSoFar: 5 } })).toMatchObject({ pageSize: 0, params: ['x', 0] });
    const last = compileQuery(top, { page: { limit: 2, returnedSoFar: 3 } });
    expect(takePage(last, [{ row: '1', key: '["a"]' }, { row: '2', key: '["b"]' }])).toEqual({ value: ['1', '2'] });
  });

  it('returns every row without a page', () => {
    const compiled = compileQuery('SELECT * FROM DIGITALTWINS');
    expect(compiled.pageSize).toBeUndefined();
    expect(compiled.sql).not.toContain('LIMIT');
    expect(takePage(compiled, [{ row: '1', key: '[]' }, { row: '2', key: '[]' }])).toEqual({ value: ['1', '2'] });
  });

  it('answers COUNT() and aggregates in one page', () => {
    const count = compileQuery('SELECT COUNT() FROM DIGITALTWINS', { page: { limit: 1, after: ['x'] } });
    expect(count.kind).toBe('count');
    expect(count.pageSize).toBeUndefined();
    expect(compileQuery('SELECT T.f, COUNT() FROM DIGITALTWINS T GROUP BY T.f', { page: { limit: 1 } }).sql).not.toContain('LIMIT');
  });

  it.each([
    ['a key of another length', ['a']],
    ['a number where an id was', ['a', 1, 'a', 'r']],
    ['a NUL in an id', ['a', 'c\u0000', 'a', 'r']],
  ])('refuses %s as a bad continuation', (_what, after) => {
    const error = domainErrorOf(() => compileQuery(JOIN, { page: { limit: 10, after } }));
    expect({ code: error.code, message: error.message }).toEqual({ code: 'BadRequest', message: 'An invalid continuationToken was provided.' });
  });

  it.each([
    ['a rank that is not an integer', [1.5, '0', '', 'id']],
    ['a rank out of the integer range', [2 ** 40, '0', '', 'id']],
    ['a number that is not numeric text', [3, '1e5', '', 'id']],
  ])('refuses %s in an ORDER BY key', (_what, after) => {
    expect(domainErrorOf(() => compileQuery('SELECT * FROM DIGITALTWINS T ORDER BY T.x', { page: { limit: 1, after } })).code).toBe('BadRequest');
  });

  it('refuses a page size that is not a positive whole number, and a negative count of rows returned', () => {
    expect(domainErrorOf(() => compileQuery('SELECT * FROM DIGITALTWINS', { page: { limit: 0 } })).code).toBe('InvalidArgument');
    expect(domainErrorOf(() => compileQuery('SELECT * FROM DIGITALTWINS', { page: { limit: 1, returnedSoFar: -1 } })).code).toBe('BadRequest');
  });
});
