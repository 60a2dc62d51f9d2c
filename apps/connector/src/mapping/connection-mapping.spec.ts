import { ConnectionMapping, MappingError } from './connection-mapping';

const envelope = (topic: string, payload: unknown, headers: Record<string, string> = {}) => ({ topic, headers, payload, receivedAt: '2026-01-01T00:00:00.000Z' });

describe('connection mappings (JSONata)', () => {
  it('takes the twin id from a topic segment and sets a property with its sourceTime', async () => {
    const m = new ConnectionMapping('{ "twinId": "room-" & $split(topic, "/")[1], "properties": { "Temperature": payload.t }, "sourceTime": payload.ts }');
    expect(await m.evaluate(envelope('site/r7/temp', { t: 21.5, ts: 1717236000123 }))).toEqual([{
      kind: 'patch', twinId: 'room-r7', patch: [
        { op: 'add', path: '/Temperature', value: 21.5 },
        { op: 'add', path: '/$metadata/Temperature/sourceTime', value: '2024-06-01T10:00:00.123Z' },
      ],
    }]);
  });

  it('reads nested payloads and converts units', async () => {
    const m = new ConnectionMapping('{ "twinId": payload.device.id, "patch": [{ "op": "replace", "path": "/Temperature", "value": $round((payload.device.readings.tempF - 32) * 5 / 9, 2) }] }');
    expect(await m.evaluate(envelope('x', { device: { id: 'ahu-1', readings: { tempF: 70.7 } } }))).toEqual([
      { kind: 'patch', twinId: 'ahu-1', patch: [{ op: 'replace', path: '/Temperature', value: 21.5 }] },
    ]);
  });

  it('turns an array of readings into one operation each, also for a one-element array', async () => {
    const m = new ConnectionMapping('payload.readings[].{ "twinId": dev, "properties": { "Temperature": t } }');
    expect((await m.evaluate(envelope('x', { readings: [{ dev: 'a', t: 1 }, { dev: 'b', t: 2 }] }))).map((o) => o.twinId)).toEqual(['a', 'b']);
    expect((await m.evaluate(envelope('x', { readings: [{ dev: 'a', t: 1 }] }))).map((o) => o.twinId)).toEqual(['a']);
    expect(await m.evaluate(envelope('x', { readings: [] }))).toEqual([]);
  });

  it('asks for the twin to be created of a model when missing, and publishes telemetry', async () => {
    const m = new ConnectionMapping(`[
      { "twinId": payload.id, "properties": { "Temperature": payload.t }, "createIfMissing": "dtmi:example:Room;1" },
      { "twinId": payload.id, "telemetry": { "reading": payload.t }, "component": "thermostat", "messageId": payload.mid }
    ]`);
    expect(await m.evaluate(envelope('x', { id: 'r1', t: 3, mid: 'm-1' }))).toEqual([
      { kind: 'patch', twinId: 'r1', patch: [{ op: 'add', path: '/Temperature', value: 3 }], createModel: 'dtmi:example:Room;1' },
      { kind: 'telemetry', twinId: 'r1', telemetry: { reading: 3 }, component: 'thermostat', messageId: 'm-1' },
    ]);
  });

  it('refuses a mapping that does not compile, with the position', () => {
    const err = (() => { try { new ConnectionMapping('{ "twinId": $split(topic, "/")[1 }'); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(MappingError);
    expect(err).toMatchObject({ code: 'MappingInvalid' });
    expect((err as MappingError).position).toBeGreaterThan(20);
    expect((err as MappingError).message).toMatch(/at character \d+/);
  });

  it('fails on output that is not operations, naming what is wrong', async () => {
    await expect(new ConnectionMapping('{ "twinId": payload.missing, "properties": { "a": 1 } }').evaluate(envelope('x', {}))).rejects.toThrow(/twinId must be a non-empty string/);
    await expect(new ConnectionMapping('{ "twinId": "a", "patch": [{ "op": "add", "path": "/x", "value": payload.nope }] }').evaluate(envelope('x', {}))).rejects.toThrow(/has no value/);
    await expect(new ConnectionMapping('{ "twinId": "a", "colour": 1, "properties": {} }').evaluate(envelope('x', {}))).rejects.toThrow(/unknown member "colour"/);
    await expect(new ConnectionMapping('"just a string"').evaluate(envelope('x', {}))).rejects.toMatchObject({ code: 'MappingFailed' });
    await expect(new ConnectionMapping('$number("abc") + $undefinedFn()').evaluate(envelope('x', {}))).rejects.toMatchObject({ code: 'MappingFailed' });
  });

  it('stops a mapping that runs too long', async () => {
    const m = new ConnectionMapping('($f := function($n) { $n = 0 ? 0 : $f($n - 1) }; $f(1000000))', { timeoutMs: 50, stack: 50, maxOperations: 10 });
    await expect(m.evaluate(envelope('x', {}))).rejects.toMatchObject({ code: 'MappingFailed' });
  });
});
