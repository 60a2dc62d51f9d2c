/**
 * The example queries of the reference (adt-api.md §4.5, numbered as there; an example that shows
 * several queries gets a letter per query), and examples of our extensions. The SQL snapshot
 * (`__snapshots__/examples.sql.md`) and the service's fixture tests both run these.
 */
export interface QueryExample {
  id: string;
  query: string;
  /** What ADT returns, per the reference. */
  returns: string;
}

export const ADT_EXAMPLES: readonly QueryExample[] = [
  { id: '1', query: 'SELECT * FROM DIGITALTWINS', returns: 'all twins (paged)' },
  { id: '2', query: "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'Room1'", returns: 'that twin' },
  { id: '3', query: 'SELECT * FROM DIGITALTWINS WHERE temp = 79', returns: 'twins whose temp is 79' },
  {
    id: '4',
    query: "SELECT * FROM DIGITALTWINS T WHERE T.firmwareVersion = '1.1' AND T.$dtId IN ['123','456'] AND T.Temperature = 70",
    returns: 'conjunction of filters',
  },
  { id: '5', query: "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:example:thing;1')", returns: 'twins of that model or any subtype' },
  { id: '6', query: "SELECT * FROM DIGITALTWINS DT WHERE IS_OF_MODEL(DT, 'dtmi:example:thing;1', exact)", returns: 'exactly that model' },
  { id: '7', query: 'SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(Location)', returns: 'twins that have Location set' },
  { id: '8', query: 'SELECT * FROM DIGITALTWINS T WHERE IS_NUMBER(T.Temperature)', returns: 'twins whose Temperature is numeric' },
  { id: '9', query: 'SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(tags.red)', returns: '"marker tag" on a Map property' },
  { id: '10', query: "SELECT * FROM DIGITALTWINS WHERE NOT IS_DEFINED(tags.red) AND tags.size = 'small'", returns: 'map key value filter' },
  { id: '11', query: "SELECT * FROM DIGITALTWINS WHERE Name = 'D\\'Souza'", returns: 'escaped quote' },
  { id: '12', query: "SELECT * FROM DIGITALTWINS DT WHERE DT.owner IN ['John','Anil','Bailey','Alex']", returns: 'IN list' },
  { id: '13', query: 'SELECT * FROM DIGITALTWINS DT WHERE NOT DT.Temperature <= 80', returns: 'Temperature > 80 (and defined)' },
  { id: '14', query: 'SELECT * FROM DIGITALTWINS DT WHERE DT.Temperature < 80 OR DT.Humidity < 50', returns: 'disjunction' },
  { id: '15a', query: "SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'area1-')", returns: 'ids starting with area1-' },
  { id: '15b', query: "SELECT * FROM DIGITALTWINS T WHERE ENDSWITH(T.$dtId, '-small')", returns: 'ids ending with -small' },
  { id: '15c', query: "SELECT * FROM DIGITALTWINS T WHERE CONTAINS(T.$dtId, '-route')", returns: 'ids containing -route' },
  { id: '16', query: 'SELECT T.name FROM DIGITALTWINS T WHERE ARRAY_CONTAINS(T.floor_number, 2)', returns: 'rows {"name": …}' },
  { id: '17', query: "SELECT * FROM DIGITALTWINS WHERE [[Group]] = 'BravoTeam'", returns: 'reserved-word property' },
  {
    id: '18',
    query: "SELECT * FROM DIGITALTWINS WHERE $metadata.$lastUpdateTime > '2024-01-01T00:00:00Z'",
    returns: 'recently changed twins (ISO string comparison)',
  },
  { id: '19a', query: 'SELECT COUNT() FROM DIGITALTWINS', returns: '[{"COUNT": 1234}]' },
  { id: '19b', query: 'SELECT COUNT() FROM RELATIONSHIPS', returns: 'counts relationships' },
  {
    id: '20',
    query: "SELECT COUNT() FROM DIGITALTWINS c WHERE IS_OF_MODEL('dtmi:sample:Room;1') AND c.Capacity > 20",
    returns: 'filtered count',
  },
  { id: '21', query: 'SELECT TOP(5) FROM DIGITALTWINS', returns: 'first five twins (arbitrary order)' },
  { id: '22', query: "SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['A','B','C','D']", returns: 'relationship objects from those sources' },
  {
    id: '23',
    query: "SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'ABC'",
    returns: 'rows {T:{…},CT:{…}}, one per contained twin',
  },
  {
    id: '24',
    query: "SELECT source FROM DIGITALTWINS source JOIN target RELATED source.feeds WHERE target.$dtId = 'target-twin'",
    returns: 'reverse lookup: twins that feed target-twin',
  },
  {
    id: '25',
    query: "SELECT T, SBT, R FROM DIGITALTWINS T JOIN SBT RELATED T.servicedBy R WHERE T.$dtId = 'ABC' AND R.reportedCondition = 'clean'",
    returns: 'filter on relationship property; rows include the relationship',
  },
  {
    id: '26',
    query:
      'SELECT LightBulb FROM DIGITALTWINS Room JOIN LightPanel RELATED Room.contains JOIN LightBulb RELATED LightPanel.contains ' +
      "WHERE IS_OF_MODEL(LightPanel,'dtmi:contoso:com:lightpanel;1') AND Room.$dtId IN ['room1','room2']",
    returns: 'two-level traversal; rows {LightBulb:{…}}',
  },
  {
    id: '27',
    query:
      'SELECT LightBulb FROM DIGITALTWINS Building JOIN Floor RELATED Building.contains JOIN Room RELATED Floor.contains ' +
      'JOIN LightPanel RELATED Room.contains JOIN LightBulbRow RELATED LightPanel.contains JOIN LightBulb RELATED LightBulbRow.contains ' +
      "WHERE Building.$dtId = 'Building1'",
    returns: 'the 5-JOIN maximum',
  },
  {
    id: '28',
    query:
      'SELECT Consumer.name AS consumerName, Edge.prop1 AS first, Factory.area AS factoryArea FROM DIGITALTWINS Factory ' +
      "JOIN Consumer RELATED Factory.customer Edge WHERE Factory.$dtId = 'ABC'",
    returns: 'rows {consumerName, first, factoryArea}',
  },
  {
    id: '29',
    query: "SELECT Building, Sensor FROM DIGITALTWINS MATCH (Building)-[]->(Sensor) WHERE Building.$dtId = 'Building21' AND Sensor.temperature > 50",
    returns: 'any single outgoing hop',
  },
  {
    id: '30',
    query: "SELECT Building, Sensor FROM DIGITALTWINS MATCH (Building)-[:contains|isAssociatedWith]-(Sensor) WHERE Building.$dtId = 'Seattle21'",
    returns: 'either name, either direction',
  },
  {
    id: '31a',
    query: "SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[*1..3]-(Room) WHERE Floor.$dtId = 'thermostat-15'",
    returns: 'paths of 2 or 3 hops (lower bound exclusive)',
  },
  {
    id: '31b',
    query: "SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[*..2]-(Room) WHERE Floor.$dtId = 'thermostat-15'",
    returns: '1 or 2 hops',
  },
  {
    id: '31c',
    query: "SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[*3]-(Room) WHERE Floor.$dtId = 'thermostat-15'",
    returns: 'exactly 3 hops',
  },
  {
    id: '32',
    query: "SELECT Floor, Room FROM DIGITALTWINS MATCH (Floor)-[r:contains|isAssociatedWith]->(Room) WHERE Floor.$dtId = 'thermostat-15' AND r.length = 10",
    returns: 'relationship variable (single hop only)',
  },
  {
    id: '33',
    query:
      'SELECT Floor, Room, Building FROM DIGITALTWINS MATCH (Building)-[r1:isAssociatedWith]->(Floor)<-[r2:isAssociatedWith]-(Room) ' +
      "WHERE Building.$dtId = 'building-3' AND Room.temperature > 50",
    returns: 'chained / bi-directional pattern',
  },
];

export const EXTENSION_EXAMPLES: readonly QueryExample[] = [
  {
    id: 'E1',
    query: 'SELECT * FROM DIGITALTWINS T ORDER BY T.Temperature DESC, T.name',
    returns: 'every twin, warmest first (JSON total order), then by name',
  },
  {
    id: 'E2',
    query: 'SELECT T.floor AS floor, COUNT() AS n, AVG(T.Temperature) AS avgT FROM DIGITALTWINS T GROUP BY T.floor',
    returns: 'one row per floor value: {floor, n, avgT}',
  },
  {
    id: 'E3',
    query: "SELECT MIN(T.Temperature) AS coldest, MAX(T.Temperature) AS warmest, SUM(T.Capacity) AS seats FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:sample:Room;1')",
    returns: 'one row of aggregates over all rooms',
  },
  {
    id: 'E4',
    query: 'SELECT B, F FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE IS_OF_MODEL(B, \'dtmi:sample:Building;1\') OPTION (EXTENDED)',
    returns: 'a JOIN without an anchor twin',
  },
  {
    id: 'E5',
    query: "SELECT A, B FROM DIGITALTWINS MATCH (A)-[:feeds*..4]->(B) WHERE A.kind = 'pump' OPTION (EXTENDED)",
    returns: 'a MATCH without an anchor twin',
  },
];
