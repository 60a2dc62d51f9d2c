import { select } from './__fixtures__/select';

describe('the reference examples (§5.3)', () => {
  it('true sends everything, false nothing', () => {
    expect(select('true')).toHaveLength(8);
    expect(select('TRUE')).toHaveLength(8);
    expect(select('false')).toEqual([]);
    expect(select(' False ')).toEqual([]);
  });

  it("type = 'Microsoft.DigitalTwins.Twin.Create' OR type = 'microsoft.iot.telemetry'", () => {
    expect(select("type = 'Microsoft.DigitalTwins.Twin.Create' OR type = 'microsoft.iot.telemetry'")).toEqual([
      'floorCreate',
      'roomCreate',
      'telemetry',
      'componentTelemetry',
    ]);
  });

  it("STARTS_WITH($body.$metadata.$model, 'dtmi:example:com:floor')", () => {
    expect(select("STARTS_WITH($body.$metadata.$model, 'dtmi:example:com:floor')")).toEqual(['floorCreate']);
  });

  it("CONTAINS(subject, 'room1')", () => {
    expect(select("CONTAINS(subject, 'room1')")).toEqual(['roomCreate', 'roomUpdate']);
  });

  it('the body fields the reference names: $body.modelId for updates, $body.temperature-like for telemetry', () => {
    expect(select("$body.modelId = 'dtmi:example:com:room;1'")).toEqual(['roomUpdate']);
    expect(select('$body.Temperature > 25')).toEqual(['telemetry']);
  });
});
