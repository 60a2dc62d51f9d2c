import { parseQuery } from './parse-query';
import { withoutPositions } from '../testing/without-positions';

const parsed = (text: string) => withoutPositions(parseQuery(text));
const where = (condition: string) => (parsed(`SELECT * FROM DIGITALTWINS T WHERE ${condition}`) as { where: unknown }).where;
const path = (...segments: string[]) => ({ segments });

describe('parseQuery', () => {
  it('parses SELECT * FROM DIGITALTWINS', () => {
    expect(parsed('SELECT * FROM DIGITALTWINS')).toEqual({
      select: { kind: 'all' },
      from: { kind: 'twins', joins: [] },
      groupBy: [],
      orderBy: [],
      extended: false,
    });
  });

  it('takes keywords in any case and keeps names as written', () => {
    expect(parsed("select T.Name from digitaltwins T where T.$dtId = 'a'")).toMatchObject({
      select: { kind: 'items', items: [{ kind: 'path', path: path('T', 'Name') }] },
      from: { kind: 'twins', alias: 'T' },
      where: { kind: 'compare', path: path('T', '$dtId'), comparator: '=', value: { kind: 'string', value: 'a' } },
    });
  });

  it('reads TOP(n) with or without a select list', () => {
    expect(parsed('SELECT TOP(5) FROM DIGITALTWINS')).toMatchObject({ top: 5, select: { kind: 'all' } });
    expect(parsed('SELECT TOP (3) T.name FROM DIGITALTWINS T')).toMatchObject({ top: 3, select: { kind: 'items' } });
  });

  it('reads projections, AS names and COUNT()', () => {
    expect(parsed('SELECT T, T.comp.prop AS p, COUNT() AS n FROM DIGITALTWINS T')).toMatchObject({
      select: {
        kind: 'items',
        items: [
          { kind: 'path', path: path('T') },
          { kind: 'path', path: path('T', 'comp', 'prop'), as: 'p' },
          { kind: 'aggregate', aggregate: { fn: 'COUNT' }, as: 'n' },
        ],
      },
    });
  });

  it('reads FROM RELATIONSHIPS with an alias', () => {
    expect(parsed('SELECT R FROM RELATIONSHIPS R')).toMatchObject({ from: { kind: 'relationships', alias: 'R' } });
  });

  it('reads JOIN chains with and without relationship aliases', () => {
    expect(parsed('SELECT A FROM DIGITALTWINS T JOIN A RELATED T.contains JOIN B RELATED A.[[group]] R')).toMatchObject({
      from: {
        kind: 'twins',
        alias: 'T',
        joins: [
          { target: 'A', source: 'T', relationshipName: 'contains' },
          { target: 'B', source: 'A', relationshipName: 'group', relationshipAlias: 'R' },
        ],
      },
    });
  });

  it('reads MATCH nodes, directions, names, variables and hop ranges (a exclusive, b inclusive)', () => {
    const { from } = parsed('SELECT a FROM DIGITALTWINS MATCH (a)-[r:x|y]->()<-[*1..3]-(b)-[:z*..2]-(c)-[*4]-(d)-[]-(e)') as { from: unknown };
    expect(from).toEqual({
      kind: 'match',
      pattern: {
        nodes: [{ alias: 'a' }, {}, { alias: 'b' }, { alias: 'c' }, { alias: 'd' }, { alias: 'e' }],
        edges: [
          { direction: 'out', variable: 'r', names: ['x', 'y'], hops: { min: 1, max: 1 } },
          { direction: 'in', names: [], hops: { min: 2, max: 3 } },
          { direction: 'any', names: ['z'], hops: { min: 1, max: 2 } },
          { direction: 'any', names: [], hops: { min: 4, max: 4 } },
          { direction: 'any', names: [], hops: { min: 1, max: 1 } },
        ],
      },
    });
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    const compare = (name: string) => ({ kind: 'compare', path: path(name), comparator: '=', value: { kind: 'number', value: 1 } });
    expect(where('NOT a = 1 AND b = 1 OR c = 1')).toEqual({
      kind: 'or',
      terms: [{ kind: 'and', terms: [{ kind: 'not', term: compare('a') }, compare('b')] }, compare('c')],
    });
    expect(where('NOT (a = 1 OR b = 1)')).toEqual({ kind: 'not', term: { kind: 'or', terms: [compare('a'), compare('b')] } });
  });

  it('reads every comparator and literal', () => {
    expect(where("a != 'x' AND b < -2.5 AND c > 1e3 AND d <= true AND e >= false AND f = null")).toEqual({
      kind: 'and',
      terms: [
        { kind: 'compare', path: path('a'), comparator: '!=', value: { kind: 'string', value: 'x' } },
        { kind: 'compare', path: path('b'), comparator: '<', value: { kind: 'number', value: -2.5 } },
        { kind: 'compare', path: path('c'), comparator: '>', value: { kind: 'number', value: 1000 } },
        { kind: 'compare', path: path('d'), comparator: '<=', value: { kind: 'boolean', value: true } },
        { kind: 'compare', path: path('e'), comparator: '>=', value: { kind: 'boolean', value: false } },
        { kind: 'compare', path: path('f'), comparator: '=', value: { kind: 'null' } },
      ],
    });
  });

  it('reads IN and NIN lists, empty ones too', () => {
    expect(where("T.x IN ['a', 1, null] AND T.y NIN [] AND T.z nin [true]")).toEqual({
      kind: 'and',
      terms: [
        { kind: 'in', path: path('T', 'x'), negated: false, values: [{ kind: 'string', value: 'a' }, { kind: 'number', value: 1 }, { kind: 'null' }] },
        { kind: 'in', path: path('T', 'y'), negated: true, values: [] },
        { kind: 'in', path: path('T', 'z'), negated: true, values: [{ kind: 'boolean', value: true }] },
      ],
    });
  });

  it('reads IS_OF_MODEL with and without alias and exact', () => {
    expect(where("IS_OF_MODEL('dtmi:a;1')")).toEqual({ kind: 'isOfModel', model: 'dtmi:a;1', exact: false });
    expect(where("is_of_model(T, 'dtmi:a;1', EXACT)")).toEqual({ kind: 'isOfModel', alias: 'T', model: 'dtmi:a;1', exact: true });
    expect(where("IS_OF_MODEL('dtmi:a;1', exact)")).toEqual({ kind: 'isOfModel', model: 'dtmi:a;1', exact: true });
  });

  it('reads the type checks, string and array functions', () => {
    for (const fn of ['IS_DEFINED', 'IS_NULL', 'IS_BOOL', 'IS_NUMBER', 'IS_STRING', 'IS_OBJECT', 'IS_PRIMITIVE']) {
      expect(where(`${fn}(T.x)`)).toEqual({ kind: 'typeCheck', fn, path: path('T', 'x') });
    }
    expect(where("startswith(T.$dtId, 'a')")).toEqual({ kind: 'stringMatch', fn: 'STARTSWITH', path: path('T', '$dtId'), value: 'a' });
    expect(where("ENDS_WITH(T.x, 'a')")).toEqual({ kind: 'stringMatch', fn: 'ENDSWITH', path: path('T', 'x'), value: 'a' });
    expect(where("CONTAINS(x, 'a')")).toEqual({ kind: 'stringMatch', fn: 'CONTAINS', path: path('x'), value: 'a' });
    expect(where('ARRAY_CONTAINS(T.floors, 2)')).toEqual({ kind: 'arrayContains', path: path('T', 'floors'), value: { kind: 'number', value: 2 } });
  });

  it('reads system paths, escaped reserved words, and reserved words after a dot', () => {
    expect(where("$metadata.$lastUpdateTime > 'x' AND [[Group]] = 1 AND T.max = 2")).toMatchObject({
      terms: [{ path: path('$metadata', '$lastUpdateTime') }, { path: path('Group') }, { path: path('T', 'max') }],
    });
  });

  it('treats a name that is not followed by ( as a property, even when it names a function', () => {
    expect(where("contains = 'x'")).toMatchObject({ kind: 'compare', path: path('contains') });
  });

  it('reads the extensions: GROUP BY, ORDER BY, aggregates and OPTION (EXTENDED)', () => {
    expect(parsed('SELECT T.f, SUM(T.x) AS s FROM DIGITALTWINS T GROUP BY T.f ORDER BY SUM(T.x) DESC, T.f ASC, T.g OPTION (extended)')).toMatchObject({
      select: { items: [{ path: path('T', 'f') }, { aggregate: { fn: 'SUM', path: path('T', 'x') }, as: 's' }] },
      groupBy: [path('T', 'f')],
      orderBy: [
        { target: { kind: 'aggregate', aggregate: { fn: 'SUM', path: path('T', 'x') } }, descending: true },
        { target: { kind: 'path', path: path('T', 'f') }, descending: false },
        { target: { kind: 'path', path: path('T', 'g') }, descending: false },
      ],
      extended: true,
    });
  });

  it('records where constructs start, for error messages', () => {
    const query = parseQuery("SELECT *\nFROM DIGITALTWINS T\nJOIN C RELATED T.x\nWHERE  T.$dtId = 'a'");
    expect(query.select).toEqual({ kind: 'all', at: { line: 1, column: 7 } });
    expect(query.from).toMatchObject({ at: { line: 2, column: 5 }, joins: [{ at: { line: 3, column: 0 } }] });
    expect(query.where).toMatchObject({ at: { line: 4, column: 7 }, path: { at: { line: 4, column: 7 } } });
  });
});
