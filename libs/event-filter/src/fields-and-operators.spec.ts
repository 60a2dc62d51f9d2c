import { select } from './__fixtures__/select';

describe('fields', () => {
  it.each([
    ["type = 'Microsoft.DigitalTwins.Twin.Update'", ['roomUpdate']],
    ["source = 'odt-1.api.local.digitaltwins.example'", ['floorCreate', 'roomCreate', 'roomUpdate', 'roomDelete', 'relationshipCreate', 'relationshipUpdate']],
    ["ENDS_WITH(source, '/digitaltwins/room1')", ['telemetry', 'componentTelemetry']],
    ["subject = 'room1'", ['roomCreate', 'roomUpdate']],
    ["subject = ''", ['telemetry']],
    ["dataschema = 'dtmi:example:com:thermostat;1'", ['componentTelemetry']],
    ["dataschema != 'dtmi:example:com:thermostat;1'", ['telemetry']],
    ["datacontenttype = 'application/json-patch+json; charset=utf-8'", ['componentTelemetry']],
    ["specversion = '1.0'", ['floorCreate', 'roomCreate', 'roomUpdate', 'roomDelete', 'relationshipCreate', 'relationshipUpdate', 'telemetry', 'componentTelemetry']],
    ["id = 'msg-42'", ['telemetry']],
    ["TYPE = 'microsoft.iot.telemetry' AND Subject = 'thermostat'", ['componentTelemetry']],
    ["$body.$dtId = 'floor1'", ['floorCreate']],
    ["$body.$metadata.$model = 'dtmi:example:com:room;1'", ['roomCreate', 'roomDelete']],
    ["$body.$relationshipName = 'contains'", ['relationshipCreate']],
    ["$body.$metadata.note = 'it''s hot'", ['telemetry']],
    ["$body.$metadata.note = 'it\\'s hot'", ['telemetry']],
    ["$BODY.unit = 'C'", ['telemetry']],
  ] as const)('%s', (filter, expected) => {
    expect(select(filter)).toEqual(expected);
  });

  it('body paths are case-sensitive, like the payload', () => {
    expect(select('$body.temperature > 0')).toEqual([]);
    expect(select("$body.unit = 'c'")).toEqual(['componentTelemetry']);
  });

  it('a path does not read through arrays, inherited members or missing objects', () => {
    expect(select("$body.tags = 'a'")).toEqual([]);
    expect(select("$body.patch = 'x'")).toEqual([]);
    expect(select('$body.constructor = 1 OR $body.name.length = 7')).toEqual([]);
    expect(select("$body.$metadata.name.lastUpdateTime = '2026-11-26T10:00:00Z'")).toEqual(['floorCreate']);
  });
});

describe('operators', () => {
  it.each([
    ['$body.Temperature = 30', ['telemetry']],
    ['$body.Temperature = 30.0', ['telemetry']],
    ['$body.Temperature != 30', ['roomCreate', 'componentTelemetry']],
    ['$body.Temperature < 21.5', ['componentTelemetry']],
    ['$body.Temperature <= 21.5', ['roomCreate', 'componentTelemetry']],
    ['$body.Temperature > 21.5', ['telemetry']],
    ['$body.Temperature >= 21.5', ['roomCreate', 'telemetry']],
    ['$body.Temperature > -1e1', ['roomCreate', 'telemetry', 'componentTelemetry']],
    ['30 = $body.Temperature', ['telemetry']],
    ["$body.unit < 'D'", ['telemetry']],
    ["$body.unit >= 'a'", ['componentTelemetry']],
    ['$body.occupied = false', ['roomCreate']],
    ['$body.occupied != true', ['roomCreate']],
    ['$body.label = null', ['roomCreate']],
    ['$body.level != null', ['floorCreate']],
    ['$body.humidity > $body.Temperature', ['telemetry']],
  ] as const)('%s', (filter, expected) => {
    expect(select(filter)).toEqual(expected);
  });

  it('AND binds tighter than OR; parentheses and NOT group', () => {
    expect(select("subject = 'room1' OR subject = 'floor1' AND type = 'Microsoft.DigitalTwins.Twin.Create'")).toEqual([
      'floorCreate',
      'roomCreate',
      'roomUpdate',
    ]);
    expect(select("(subject = 'room1' OR subject = 'floor1') AND type = 'Microsoft.DigitalTwins.Twin.Create'")).toEqual([
      'floorCreate',
      'roomCreate',
    ]);
    expect(select("NOT STARTS_WITH(type, 'Microsoft.DigitalTwins.') and not (subject = 'thermostat')")).toEqual(['telemetry']);
    expect(select("not not type = 'microsoft.iot.telemetry'")).toEqual(['telemetry', 'componentTelemetry']);
  });

  it('functions are case-sensitive, their names are not', () => {
    expect(select("contains(subject, 'ROOM1')")).toEqual([]);
    expect(select("starts_with(type, 'microsoft.')")).toEqual(['telemetry', 'componentTelemetry']);
    expect(select("Ends_With($body.$metadata.$model, ';1') AND CONTAINS($body.$metadata.$model, 'floor')")).toEqual([
      'floorCreate',
    ]);
    expect(select('STARTS_WITH($body.Temperature, $body.unit)')).toEqual([]);
    expect(select("CONTAINS(subject, '')")).toHaveLength(8);
  });
});

describe('three-valued logic (missing fields and type mismatches)', () => {
  it('a comparison with a missing field is UNKNOWN: neither it nor its NOT matches', () => {
    expect(select('$body.level = 1')).toEqual(['floorCreate']);
    expect(select('NOT $body.level = 1')).toEqual([]);
    expect(select('$body.level != 1')).toEqual([]);
    expect(select("NOT dataschema = 'dtmi:example:com:room;1'")).toEqual(['componentTelemetry']);
  });

  it('a comparison between different JSON types is UNKNOWN', () => {
    expect(select("$body.Temperature = '30'")).toEqual([]);
    expect(select("NOT $body.Temperature = '30'")).toEqual([]);
    expect(select('$body.occupied < true')).toEqual([]);
    expect(select('$body.$metadata = null OR NOT $body.$metadata = null')).toEqual([]);
  });

  it('UNKNOWN OR TRUE is TRUE, UNKNOWN AND FALSE is FALSE (so NOT of it matches)', () => {
    expect(select("$body.level = 1 OR id = 'msg-43'")).toEqual(['floorCreate', 'componentTelemetry']);
    expect(select("NOT ($body.level = 1 AND id = 'nope')")).toHaveLength(8);
  });
});

describe('legacy $eventType', () => {
  it.each([
    ['DigitalTwinTelemetryMessages', ['telemetry', 'componentTelemetry']],
    ['DigitalTwinLifecycleNotification', ['floorCreate', 'roomCreate', 'roomDelete']],
    ['DigitalTwinChangeNotification', ['roomUpdate']],
    ['DigitalTwinRelationshipChangeNotification', ['relationshipCreate', 'relationshipUpdate']],
  ] as const)("$eventType = '%s'", (name, expected) => {
    expect(select(`$eventType = '${name}'`)).toEqual(expected);
    expect(select(`'${name}' = $eventType`)).toEqual(expected);
  });

  it('!= and combinations', () => {
    expect(select("$eventType != 'DigitalTwinTelemetryMessages' AND CONTAINS(subject, 'floor1')")).toEqual([
      'floorCreate',
      'relationshipCreate',
      'relationshipUpdate',
    ]);
    expect(select("$EVENTTYPE = 'DigitalTwinChangeNotification' OR $eventType = 'DigitalTwinTelemetryMessages'")).toEqual([
      'roomUpdate',
      'telemetry',
      'componentTelemetry',
    ]);
  });
});
