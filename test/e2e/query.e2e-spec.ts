import { queryModels, queryRelationships, queryTwins, SUB_THING, THING } from '../support/query-fixture';
import { startSystem, type TestSystem } from '../support/system';

type Row = Record<string, unknown>;
type Twin = Row & { $dtId: string };

/** The reference's example queries (adt-api.md §4.5), adapted to the fixture graph, with their exact rows. */
describe('POST /query: the ADT query language on a fixture graph', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ without: ['router'] });
    expect((await api('POST', '/models', queryModels)).status).toBe(201);
    for (const [id, twin] of Object.entries(queryTwins)) {
      const res = await api('PUT', `/digitaltwins/${id}`, twin);
      expect({ id, status: res.status, error: res.body.error }).toEqual({ id, status: 200, error: undefined });
    }
    for (const [source, relId, name, target, props] of queryRelationships) {
      const res = await api('PUT', `/digitaltwins/${source}/relationships/${relId}`, { $targetId: target, $relationshipName: name, ...props });
      expect({ relId, status: res.status, error: res.body.error }).toEqual({ relId, status: 200, error: undefined });
    }
  });
  afterAll(() => system?.stop());

  async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Every row of a query, following continuation tokens. */
  async function rows(query: string, pageSize = 1000): Promise<Row[]> {
    const all: Row[] = [];
    let body: Record<string, unknown> = { query };
    for (let page = 0; page < 100; page++) {
      const res = await api('POST', '/query', body, { 'max-items-per-page': String(pageSize) });
      expect(res.status).toBe(200);
      expect(res.headers.get('query-charge')).toMatch(/^\d+(\.\d+)?$/);
      all.push(...res.body.value);
      if (res.body.continuationToken === null) return all;
      body = { continuationToken: res.body.continuationToken };
    }
    throw new Error('too many pages');
  }

  const ids = (twins: Row[]) => (twins as Twin[]).map((t) => t.$dtId).sort();
  const column = (result: Row[], alias: string) => result.map((r) => (r[alias] as Twin).$dtId).sort();
  const all = Object.keys(queryTwins).sort();

  it.each([
    ['#1 every twin', 'SELECT * FROM DIGITALTWINS', all],
    ['#2 by $dtId', "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'Room1'", ['Room1']],
    ['#3 property equality', 'SELECT * FROM DIGITALTWINS WHERE temp = 79', ['Room1']],
    ['#4 conjunction with IN', "SELECT * FROM DIGITALTWINS T WHERE T.firmwareVersion = '1.1' AND T.$dtId IN ['123','456'] AND T.Temperature = 70", ['123']],
    ['#5 IS_OF_MODEL with subtypes', `SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${SUB_THING}')`, ['Panel1', 'area1-small']],
    ['#5 IS_OF_MODEL of a base model', `SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${THING}')`, all],
    ['#6 IS_OF_MODEL exact', `SELECT * FROM DIGITALTWINS DT WHERE IS_OF_MODEL(DT, '${THING}', exact)`, all.filter((id) => id !== 'Panel1' && id !== 'area1-small')],
    ['#7 IS_DEFINED', 'SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(Location)', ['area1-small']],
    ['#8 IS_NUMBER', 'SELECT * FROM DIGITALTWINS T WHERE IS_NUMBER(T.Temperature)', ['123', '456', 'Room1', 'Sensor1', 'Sensor2', 'Sensor3', 'area1-small', 'area2-route']],
    ['#9 map key defined', 'SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(tags.red)', ['dsouza']],
    ['#10 map value with NOT IS_DEFINED', "SELECT * FROM DIGITALTWINS WHERE NOT IS_DEFINED(tags.blue) AND tags.size = 'small'", ['dsouza']],
    ['#11 escaped quote', "SELECT * FROM DIGITALTWINS WHERE Name = 'D\\'Souza'", ['dsouza']],
    ['#12 IN list', "SELECT * FROM DIGITALTWINS DT WHERE DT.owner IN ['John','Anil','Bailey','Alex']", ['area2-route', 'dsouza']],
    ['#13 NOT of a comparison (defined numbers only)', 'SELECT * FROM DIGITALTWINS DT WHERE NOT DT.Temperature <= 80', ['Sensor3', 'area1-small']],
    ['#14 disjunction', 'SELECT * FROM DIGITALTWINS DT WHERE DT.Temperature < 80 OR DT.Humidity < 50', ['123', '456', 'Room1', 'Sensor1', 'Sensor2', 'area1-small', 'area2-route']],
    ['#15 STARTSWITH', "SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'area1-')", ['area1-small']],
    ['#15 ENDSWITH', "SELECT * FROM DIGITALTWINS T WHERE ENDSWITH(T.$dtId, '-small')", ['area1-small']],
    ['#15 CONTAINS', "SELECT * FROM DIGITALTWINS T WHERE CONTAINS(T.$dtId, '-route')", ['area2-route']],
    ['#17 reserved word escaped', "SELECT * FROM DIGITALTWINS WHERE [[Group]] = 'BravoTeam'", ['dsouza']],
    ['case-insensitive keywords', "select * from digitaltwins t where t.$dtId = 'Room1'", ['Room1']],
  ])('%s', async (_name, query, expected) => {
    expect(ids(await rows(query))).toEqual(expected);
  });

  it('#16 projects a property of the matching twins', async () => {
    expect(await rows('SELECT T.name FROM DIGITALTWINS T WHERE ARRAY_CONTAINS(T.floor_number, 2)')).toEqual([{ name: 'Contoso' }]);
  });

  it('#19/#20 COUNT over twins, relationships and a filter', async () => {
    expect(await rows('SELECT COUNT() FROM DIGITALTWINS')).toEqual([{ COUNT: all.length }]);
    expect(await rows('SELECT COUNT() FROM RELATIONSHIPS')).toEqual([{ COUNT: queryRelationships.length }]);
    expect(await rows(`SELECT COUNT() FROM DIGITALTWINS c WHERE IS_OF_MODEL('${SUB_THING}')`)).toEqual([{ COUNT: 2 }]);
  });

  it('#21 TOP caps the result, across pages too', async () => {
    expect(await rows('SELECT TOP(5) FROM DIGITALTWINS')).toHaveLength(5);
    expect(await rows('SELECT TOP(5) FROM DIGITALTWINS', 2)).toHaveLength(5);
  });

  it('#22 relationships by source', async () => {
    const result = await rows("SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['ABC','F1']");
    expect(result.map((r) => `${r.$sourceId}/${r.$relationshipId}`).sort()).toEqual(['ABC/c1', 'ABC/c2', 'ABC/cust', 'ABC/s1', 'ABC/s2', 'F1/f']);
    expect(result.find((r) => r.$relationshipId === 's1')).toMatchObject({ $relationshipName: 'servicedBy', $targetId: 'S1', reportedCondition: 'clean' });
  });

  it('#23 JOIN from an anchor: one row per related twin', async () => {
    const result = await rows("SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'");
    expect(column(result, 'T')).toEqual(['ABC', 'ABC']);
    expect(column(result, 'CT')).toEqual(['C1', 'C2']);
  });

  it('#24 reverse lookup through a JOIN', async () => {
    expect(column(await rows("SELECT source FROM DIGITALTWINS source JOIN target RELATED source.feeds WHERE target.$dtId = 'target-twin'"), 'source')).toEqual(['F1', 'F2']);
  });

  it('#25 filter on a relationship property, the relationship in the row', async () => {
    const result = await rows("SELECT T, SBT, R FROM DIGITALTWINS T JOIN SBT RELATED T.servicedBy R WHERE T.$dtId = 'ABC' AND R.reportedCondition = 'clean'");
    expect(result).toHaveLength(1);
    expect((result[0].SBT as Twin).$dtId).toBe('S1');
    expect(result[0].R).toMatchObject({ $relationshipId: 's1', $sourceId: 'ABC', $targetId: 'S1', reportedCondition: 'clean' });
  });

  it('#26 two-level traversal with IS_OF_MODEL on the middle twin', async () => {
    const q = `SELECT LightBulb FROM DIGITALTWINS Room JOIN LightPanel RELATED Room.contains JOIN LightBulb RELATED LightPanel.contains WHERE IS_OF_MODEL(LightPanel, '${SUB_THING}') AND Room.$dtId IN ['RoomA', 'room2']`;
    expect(column(await rows(q), 'LightBulb')).toEqual(['BulbRow1']);
  });

  it('#27 five JOINs', async () => {
    const q = "SELECT LightBulb FROM DIGITALTWINS Building JOIN Floor RELATED Building.contains JOIN Room RELATED Floor.contains JOIN LightPanel RELATED Room.contains JOIN LightBulbRow RELATED LightPanel.contains JOIN LightBulb RELATED LightBulbRow.contains WHERE Building.$dtId = 'Building1'";
    expect(column(await rows(q), 'LightBulb')).toEqual(['Bulb1']);
  });

  it('#28 projections with AS from twins and the relationship', async () => {
    const q = "SELECT Consumer.name AS consumerName, Edge.prop1 AS first, Factory.name AS factoryName FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.customer Edge WHERE Factory.$dtId = 'ABC'";
    expect(await rows(q)).toEqual([{ consumerName: 'Consumer', first: 'p', factoryName: 'Factory' }]);
  });

  it('#29 MATCH any single outgoing hop, with a filter on the far twin', async () => {
    const q = "SELECT Building, Sensor FROM DIGITALTWINS MATCH (Building)-[]->(Sensor) WHERE Building.$dtId = 'Building21' AND Sensor.Temperature > 50";
    expect(column(await rows(q), 'Sensor')).toEqual(['Sensor1']);
  });

  it('#30 MATCH either name, either direction', async () => {
    const q = "SELECT Building, Sensor FROM DIGITALTWINS MATCH (Building)-[:contains|isAssociatedWith]-(Sensor) WHERE Building.$dtId = 'Building21'";
    expect(column(await rows(q), 'Sensor')).toEqual(['Sensor1', 'Sensor2', 'Sensor3']);
  });

  it('#31 MATCH hop ranges: *1..3 is 2 or 3 hops, *..1 one hop, *2 exactly two', async () => {
    expect(column(await rows("SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[*1..3]-(Room) WHERE Floor.$dtId = 'Floor1'"), 'Room')).toEqual(['BulbRow1', 'Panel1']);
    expect(column(await rows("SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[*..1]-(Room) WHERE Floor.$dtId = 'Floor1'"), 'Room')).toEqual(['Building1', 'RoomA']);
    expect(column(await rows("SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[*2]->(Room) WHERE Floor.$dtId = 'Floor1'"), 'Room')).toEqual(['Panel1']);
  });

  it('#32 MATCH with a relationship variable and its property', async () => {
    const q = "SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[r:contains|isAssociatedWith]->(Room) WHERE Floor.$dtId = 'Building21' AND r.length = 10";
    expect(column(await rows(q), 'Room')).toEqual(['Sensor2']);
  });

  it('#33 a chained pattern with edges in both directions', async () => {
    const q = "SELECT A, T, B FROM DIGITALTWINS MATCH (A)-[r1:feeds]->(T)<-[r2:feeds]-(B) WHERE A.$dtId = 'F1'";
    const result = await rows(q);
    expect(result.map((r) => [(r.A as Twin).$dtId, (r.T as Twin).$dtId, (r.B as Twin).$dtId])).toEqual([['F1', 'target-twin', 'F2']]);
  });

  it.each([
    ['a subquery', 'SELECT * FROM (SELECT * FROM DIGITALTWINS T)'],
    ['SELECT * with a JOIN', "SELECT * FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'"],
    ['a JOIN without an anchor', 'SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains'],
    ['not a query', 'foo'],
    ['an unterminated string', "SELECT * FROM DIGITALTWINS WHERE name = 'x"],
  ])('#34 %s is a 400 SqlQueryError with a position', async (_name, query) => {
    const res = await api('POST', '/query', { query });
    expect({ status: res.status, code: res.headers.get('x-ms-error-code') }).toEqual({ status: 400, code: 'SqlQueryError' });
    expect(res.body.error.message).toMatch(/Line=\d+, Position=\d+/);
  });

  it('pages without duplicates or gaps, and refuses a tampered continuation token', async () => {
    expect(ids(await rows('SELECT * FROM DIGITALTWINS', 3))).toEqual(all);
    // A range filter the property index answers: each page starts from the twins after the last one.
    const warm = ['123', '456', 'Room1', 'Sensor1', 'area1-small', 'area2-route', 'Sensor3'].sort();
    for (const pageSize of [1, 2, 3]) {
      const paged = await rows('SELECT T.$dtId FROM DIGITALTWINS T WHERE T.Temperature > 50', pageSize);
      expect({ pageSize, ids: paged.map((r) => r.$dtId) }).toEqual({ pageSize, ids: warm });
    }
    expect(ids(await rows('SELECT TOP(5) FROM DIGITALTWINS T WHERE T.Temperature >= 50', 2))).toEqual(warm.slice(0, 5));
    const first = await api('POST', '/query', { query: 'SELECT * FROM DIGITALTWINS' }, { 'max-items-per-page': '3' });
    const token = first.body.continuationToken as string;
    const tampered = await api('POST', '/query', { continuationToken: `${token.slice(0, 5)}x${token.slice(6)}` });
    expect({ status: tampered.status, code: tampered.headers.get('x-ms-error-code') }).toEqual({ status: 400, code: 'BadRequest' });
  });

  it('sees a write acknowledged just before the query (read-your-writes)', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await api('PATCH', '/digitaltwins/Room1', [{ op: 'replace', path: '/temp', value: 100 + i }])).status).toBe(204);
      expect(await rows(`SELECT T.temp FROM DIGITALTWINS T WHERE T.$dtId = 'Room1'`)).toEqual([{ temp: 100 + i }]);
    }
  });
});
