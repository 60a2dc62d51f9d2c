import type { FlattenedInterface } from '@odt/contracts';
import { compileInterfaceValidator } from './instance-validator';

function flattened(overrides: Partial<FlattenedInterface> & { id: string }): FlattenedInterface {
  return { dtdlVersion: 3, bases: [], properties: {}, telemetry: [], commands: [], components: {}, relationships: {}, ...overrides };
}

const thermostat = flattened({
  id: 'dtmi:ex:Thermostat;1',
  properties: { targetTemperature: { schema: { kind: 'primitive', type: 'double' }, writable: true } },
  telemetry: ['temperature'],
});

const room = flattened({
  id: 'dtmi:ex:Room;1',
  bases: ['dtmi:ex:Space;1'],
  properties: {
    name: { schema: { kind: 'primitive', type: 'string' }, writable: true },
    area: { schema: { kind: 'primitive', type: 'double' }, writable: false },
  },
  telemetry: ['occupancy'],
  commands: ['reboot'],
  components: { thermostat: 'dtmi:ex:Thermostat;1' },
  relationships: { contains: { name: 'contains', properties: {} } },
});

const interfaces = new Map([[thermostat.id, thermostat]]);
const getComponent = (id: string) => {
  const found = interfaces.get(id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe('compileInterfaceValidator', () => {
  const validate = compileInterfaceValidator(room, getComponent);

  it('accepts a twin with valid properties and its component', () => {
    expect(validate({ name: 'Kitchen', thermostat: { $metadata: {}, targetTemperature: 21 } })).toEqual([]);
  });

  it('leaves $-members of the twin to the caller', () => {
    expect(validate({ $dtId: 'r1', $etag: 'W/"x"', $metadata: { $model: room.id }, thermostat: { $metadata: {} } })).toEqual([]);
  });

  it('reports a property value that does not match its schema', () => {
    expect(validate({ area: 'large', thermostat: {} })).toEqual([{ path: '/area', message: 'Expected a finite number, got "large".' }]);
  });

  it('reports undeclared members, telemetry, commands and relationships used as properties', () => {
    expect(validate({ colour: 'red', occupancy: 3, reboot: true, contains: 'r2', thermostat: {} })).toEqual([
      { path: '/colour', message: `'colour' is not a property or component of model ${room.id}.` },
      { path: '/occupancy', message: `'occupancy' is a Telemetry of model ${room.id}; telemetry is not stored on twins.` },
      { path: '/reboot', message: `'reboot' is not a property or component of model ${room.id}.` },
      { path: '/contains', message: `'contains' is not a property or component of model ${room.id}.` },
    ]);
  });

  it('requires every declared component', () => {
    expect(validate({ name: 'Hall' })).toEqual([{ path: '/thermostat', message: "The component 'thermostat' is required." }]);
  });

  it('requires a component to be an object', () => {
    expect(validate({ thermostat: 'on' })).toEqual([{ path: '/thermostat', message: 'A component must be an object, got "on".' }]);
  });

  it("validates a component's members against its interface, allowing only $metadata among $-members", () => {
    expect(validate({ thermostat: { targetTemperature: 'warm', temperature: 20, $model: 'x', extra: 1 } })).toEqual([
      { path: '/thermostat/targetTemperature', message: 'Expected a finite number, got "warm".' },
      { path: '/thermostat/temperature', message: `'temperature' is a Telemetry of component interface ${thermostat.id}; telemetry is not stored on twins.` },
      { path: '/thermostat/$model', message: "'$model' is not allowed in a component." },
      { path: '/thermostat/extra', message: `'extra' is not a property or component of component interface ${thermostat.id}.` },
    ]);
  });

  it('rejects a component inside a component', () => {
    const withNested = flattened({ id: 'dtmi:ex:Outer;1', components: { inner: 'dtmi:ex:Middle;1' } });
    const middle = flattened({ id: 'dtmi:ex:Middle;1', components: { deeper: thermostat.id } });
    const validateOuter = compileInterfaceValidator(withNested, () => middle);
    expect(validateOuter({ inner: { deeper: {} } })).toEqual([
      { path: '/inner/deeper', message: `'deeper' is a component of component interface ${middle.id}; components cannot be nested.` },
    ]);
  });

  it('resolves component interfaces once, when compiling', () => {
    const lookups: string[] = [];
    const validateTwice = compileInterfaceValidator(room, (id) => (lookups.push(id), getComponent(id)));
    validateTwice({ thermostat: {} });
    validateTwice({ thermostat: {} });
    expect(lookups).toEqual([thermostat.id]);
  });

  it('treats names of Object.prototype members as undeclared', () => {
    expect(validate({ thermostat: {}, toString: 'x' })).toHaveLength(1);
  });
});
