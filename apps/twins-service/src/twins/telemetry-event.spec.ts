import { telemetryEvent } from './telemetry-event';

describe('telemetryEvent', () => {
  const base = { twinId: "room-1:a@b!$&'()*+,;=~", messageId: 'msg-1', payload: { temperature: 21 }, eventsSource: 'adt.example.com' };

  it('builds twin-level telemetry: source names the twin, no subject, the twin\'s model as dataschema', () => {
    const e = telemetryEvent({ ...base, dataschema: 'dtmi:x:Room;1', sourceTime: '2024-05-01T10:00:00.123Z' });
    expect(e).toMatchObject({
      specversion: '1.0',
      id: 'msg-1',
      type: 'microsoft.iot.telemetry',
      source: `adt.example.com/digitaltwins/${base.twinId}`,
      datacontenttype: 'application/json',
      dataschema: 'dtmi:x:Room;1',
      telemetrysourcetime: '2024-05-01T10:00:00.123Z',
      data: { temperature: 21 },
    });
    expect('subject' in e).toBe(false);
    expect(typeof e.time).toBe('string');
  });

  it('builds component telemetry with the component as subject, and leaves out an absent source time', () => {
    const e = telemetryEvent({ ...base, component: 'thermostat', dataschema: 'dtmi:x:Thermostat;1' });
    expect(e.subject).toBe('thermostat');
    expect(e.dataschema).toBe('dtmi:x:Thermostat;1');
    expect('telemetrysourcetime' in e).toBe(false);
  });

  it('carries any JSON payload as sent', () => {
    for (const payload of ['text', 5, [1, 2], null, { nested: { a: [true] } }]) {
      expect(telemetryEvent({ ...base, payload }).data).toEqual(payload);
    }
  });
});
