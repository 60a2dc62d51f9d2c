import { cellText, columnsOf, errorOffset, relationshipQueries, sliceOfRows } from './results';

const twin = (id: string, extra: Record<string, unknown> = {}) => ({ $dtId: id, $etag: 'W/"x"', $metadata: { $model: 'dtmi:x:Room;1' }, ...extra });
const rel = (s: string, id: string, t: string) => ({ $relationshipId: id, $sourceId: s, $targetId: t, $relationshipName: 'contains' });

describe('query results in the Explorer', () => {
  it('finds twins and relationships in plain rows and in projections', () => {
    const slice = sliceOfRows([twin('a'), rel('a', 'r1', 'b'), { T: twin('b'), R: rel('b', 'r2', 'c'), n: 1 }, { COUNT: 3 }]);
    expect(slice.twins.map((t) => t.$dtId)).toEqual(['a', 'b']);
    expect(slice.relationships.map((r) => r.$relationshipId)).toEqual(['r1', 'r2']);
  });

  it("turns a SqlQueryError's Line and Position into an offset in the text", () => {
    const text = 'SELECT *\nFROM DIGITALTWINS\nWHERE x == 1';
    const message = "SQL query parse failed: SQL Parser Error, Line=3, Position=9, Message=mismatched input '='";
    expect(text[errorOffset(message, text)!]).toBe('=');
    expect(errorOffset('no position here', text)).toBeUndefined();
  });

  it('puts $dtId and $model first, then the other columns, and prints cells', () => {
    const rows = [twin('a', { Temperature: 21, tags: { wing: 'east' } }), twin('b', { name: 'B' })];
    expect(columnsOf(rows)).toEqual(['$dtId', '$model', 'Temperature', 'name', 'tags']);
    expect(cellText(rows[0], '$model')).toBe('dtmi:x:Room;1');
    expect(cellText(rows[0], 'tags')).toBe('{"wing":"east"}');
    expect(cellText(rows[1], 'Temperature')).toBe('');
    expect(cellText({ R: rel('a', 'r', 'b') }, 'R')).toBe('a —contains→ b');
  });

  it('asks for relationships 50 ids a query, quoting ids', () => {
    const ids = Array.from({ length: 120 }, (_, i) => `t${i}`);
    const queries = relationshipQueries([...ids.slice(0, 119), "o'brien"]);
    expect(queries).toHaveLength(3);
    expect(queries[0]).toMatch(/^SELECT \* FROM RELATIONSHIPS R WHERE R\.\$sourceId IN \['t0', 't1', /);
    expect(queries[2]).toContain("'o\\'brien'");
    expect(queries[2].match(/'t\d+'/g)).toHaveLength(19);
  });
});
