/**
 * A small graph on which the reference's example queries (adt-api.md §4.5) have known answers.
 * Every twin is a `Thing` (or a `SubThing`, which extends it); relationship names as in the examples.
 */
export const THING = 'dtmi:q:Thing;1';
export const SUB_THING = 'dtmi:q:SubThing;1';

export const queryModels = [
  {
    '@id': THING,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    contents: [
      ...['temp', 'Temperature', 'Humidity'].map((name) => ({ '@type': 'Property', name, schema: 'double' })),
      ...['firmwareVersion', 'Location', 'owner', 'Name', 'name', 'Group'].map((name) => ({ '@type': 'Property', name, schema: 'string' })),
      { '@type': 'Property', name: 'floor_number', schema: { '@type': 'Array', elementSchema: 'integer' } },
      { '@type': 'Property', name: 'tags', schema: { '@type': 'Map', mapKey: { name: 'k', schema: 'string' }, mapValue: { name: 'v', schema: 'string' } } },
      { '@type': 'Relationship', name: 'contains' },
      { '@type': 'Relationship', name: 'feeds' },
      { '@type': 'Relationship', name: 'isAssociatedWith', properties: [{ '@type': 'Property', name: 'length', schema: 'integer' }] },
      { '@type': 'Relationship', name: 'servicedBy', properties: [{ '@type': 'Property', name: 'reportedCondition', schema: 'string' }] },
      { '@type': 'Relationship', name: 'customer', properties: [{ '@type': 'Property', name: 'prop1', schema: 'string' }] },
    ],
  },
  { '@id': SUB_THING, '@type': 'Interface', '@context': 'dtmi:dtdl:context;3', extends: THING },
];

type Props = Record<string, unknown>;
const thing = (props: Props = {}, model = THING) => ({ $metadata: { $model: model }, ...props });

export const queryTwins: Record<string, Props> = {
  Room1: thing({ temp: 79, Temperature: 70, firmwareVersion: '1.1' }),
  '123': thing({ firmwareVersion: '1.1', Temperature: 70 }),
  '456': thing({ firmwareVersion: '1.1', Temperature: 71 }),
  'area1-small': thing({ Temperature: 85, Humidity: 40, Location: 'dock' }, SUB_THING),
  'area2-route': thing({ Temperature: 60, Humidity: 60, owner: 'John' }),
  dsouza: thing({ Name: "D'Souza", owner: 'Anil', Group: 'BravoTeam', floor_number: [1, 2], tags: { red: 'x', size: 'small' }, name: 'Contoso' }),
  hot: thing({ name: 'warm' }),
  ABC: thing({ name: 'Factory' }),
  C1: thing({ name: 'c1' }),
  C2: thing({ name: 'c2' }),
  S1: thing(),
  S2: thing(),
  CON: thing({ name: 'Consumer' }),
  'target-twin': thing(),
  F1: thing(),
  F2: thing(),
  Building1: thing(),
  Floor1: thing(),
  RoomA: thing(),
  Panel1: thing({}, SUB_THING),
  BulbRow1: thing(),
  Bulb1: thing({ name: 'bulb' }),
  Building21: thing(),
  Sensor1: thing({ Temperature: 55 }),
  Sensor2: thing({ Temperature: 40 }),
  Sensor3: thing({ Temperature: 90 }),
};

/** [source, relationship id, name, target, properties] */
export const queryRelationships: [string, string, string, string, Props?][] = [
  ['ABC', 'c1', 'contains', 'C1'],
  ['ABC', 'c2', 'contains', 'C2'],
  ['ABC', 's1', 'servicedBy', 'S1', { reportedCondition: 'clean' }],
  ['ABC', 's2', 'servicedBy', 'S2', { reportedCondition: 'dirty' }],
  ['ABC', 'cust', 'customer', 'CON', { prop1: 'p' }],
  ['F1', 'f', 'feeds', 'target-twin'],
  ['F2', 'f', 'feeds', 'target-twin'],
  ['Building1', 'b', 'contains', 'Floor1'],
  ['Floor1', 'f', 'contains', 'RoomA'],
  ['RoomA', 'r', 'contains', 'Panel1'],
  ['Panel1', 'p', 'contains', 'BulbRow1'],
  ['BulbRow1', 'b', 'contains', 'Bulb1'],
  ['Building21', 's1', 'contains', 'Sensor1'],
  ['Building21', 's2', 'isAssociatedWith', 'Sensor2', { length: 10 }],
  ['Sensor3', 'b', 'contains', 'Building21'],
];
