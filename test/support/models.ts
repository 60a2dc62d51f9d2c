import { randomBytes } from 'node:crypto';

/** Fresh DTMIs per test so that tests never collide, even against a shared database. */
export function uniqueDtmiPrefix(): string {
  return `dtmi:test:t${randomBytes(4).toString('hex')}`;
}

/**
 * A small building ontology in DTDL v3: Space ← Room (with a Thermostat component), Floor.
 * Space declares `contains` (target Space) and `feeds` (any target, a `weight` property, at most 2).
 */
export function buildingModels(prefix: string) {
  const space = {
    '@id': `${prefix}:Space;1`,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    displayName: 'Space',
    contents: [
      { '@type': 'Property', name: 'name', schema: 'string' },
      { '@type': 'Relationship', name: 'contains', target: `${prefix}:Space;1` },
      {
        '@type': 'Relationship',
        name: 'feeds',
        maxMultiplicity: 2,
        properties: [{ '@type': 'Property', name: 'weight', schema: 'double' }],
      },
    ],
  };
  const thermostat = {
    '@id': `${prefix}:Thermostat;1`,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    contents: [
      { '@type': 'Property', name: 'setPoint', schema: 'double' },
      { '@type': 'Telemetry', name: 'reading', schema: 'double' },
    ],
  };
  const room = {
    '@id': `${prefix}:Room;1`,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    displayName: 'Room',
    description: 'A room in a building',
    extends: `${prefix}:Space;1`,
    contents: [
      { '@type': 'Property', name: 'Temperature', schema: 'double' },
      { '@type': 'Property', name: 'occupied', schema: 'boolean' },
      { '@type': 'Property', name: 'capacity', schema: 'integer' },
      { '@type': 'Component', name: 'thermostat', schema: `${prefix}:Thermostat;1` },
    ],
  };
  const floor = {
    '@id': `${prefix}:Floor;1`,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    extends: `${prefix}:Space;1`,
    contents: [{ '@type': 'Property', name: 'level', schema: 'integer' }],
  };
  return { space, thermostat, room, floor, all: [room, floor, thermostat, space] };
}
