import type { CloudEventLike } from '../event';

const SOURCE = 'odt-1.api.local.digitaltwins.example';

/** A small, realistic set of events, keyed by a name the tests select with. */
export const EVENTS = {
  floorCreate: {
    specversion: '1.0',
    id: 'e1',
    source: SOURCE,
    type: 'Microsoft.DigitalTwins.Twin.Create',
    subject: 'floor1',
    datacontenttype: 'application/json',
    time: '2026-11-26T10:00:00Z',
    data: {
      $dtId: 'floor1',
      $etag: 'W/"1"',
      name: 'Floor 1',
      level: 1,
      $metadata: { $model: 'dtmi:example:com:floor;1', name: { lastUpdateTime: '2026-11-26T10:00:00Z' } },
    },
  },
  roomCreate: {
    specversion: '1.0',
    id: 'e2',
    source: SOURCE,
    type: 'Microsoft.DigitalTwins.Twin.Create',
    subject: 'room1',
    datacontenttype: 'application/json',
    data: {
      $dtId: 'room1',
      $etag: 'W/"1"',
      Temperature: 21.5,
      occupied: false,
      label: null,
      tags: ['a', 'b'],
      $metadata: { $model: 'dtmi:example:com:room;1' },
    },
  },
  roomUpdate: {
    specversion: '1.0',
    id: 'e3',
    source: SOURCE,
    type: 'Microsoft.DigitalTwins.Twin.Update',
    subject: 'room1',
    datacontenttype: 'application/json',
    data: {
      modelId: 'dtmi:example:com:room;1',
      patch: [
        { op: 'replace', path: '/Temperature', value: 27 },
        { op: 'add', path: '/thermostat/setPoint', value: 22 },
        { op: 'remove', path: '/label' },
      ],
    },
  },
  roomDelete: {
    specversion: '1.0',
    id: 'e4',
    source: SOURCE,
    type: 'Microsoft.DigitalTwins.Twin.Delete',
    subject: 'room9',
    datacontenttype: 'application/json',
    data: { $dtId: 'room9', $etag: 'W/"3"', $metadata: { $model: 'dtmi:example:com:room;1' } },
  },
  relationshipCreate: {
    specversion: '1.0',
    id: 'e5',
    source: SOURCE,
    type: 'Microsoft.DigitalTwins.Relationship.Create',
    subject: 'floor1/relationships/r1',
    datacontenttype: 'application/json',
    data: {
      $relationshipId: 'r1',
      $sourceId: 'floor1',
      $targetId: 'room1',
      $relationshipName: 'contains',
      $etag: 'W/"1"',
    },
  },
  relationshipUpdate: {
    specversion: '1.0',
    id: 'e6',
    source: SOURCE,
    type: 'Microsoft.DigitalTwins.Relationship.Update',
    subject: 'floor1/relationships/r1',
    datacontenttype: 'application/json',
    data: { modelId: 'dtmi:example:com:floor;1', patch: [{ op: 'add', path: '/since', value: '2026' }] },
  },
  telemetry: {
    specversion: '1.0',
    id: 'msg-42',
    source: `${SOURCE}/digitaltwins/room1`,
    type: 'microsoft.iot.telemetry',
    subject: '',
    dataschema: 'dtmi:example:com:room;1',
    datacontenttype: 'application/json',
    data: { Temperature: 30, humidity: 55.5, unit: 'C', $metadata: { note: "it's hot" } },
  },
  componentTelemetry: {
    specversion: '1.0',
    id: 'msg-43',
    source: `${SOURCE}/digitaltwins/room1`,
    type: 'microsoft.iot.telemetry',
    subject: 'thermostat',
    dataschema: 'dtmi:example:com:thermostat;1',
    datacontenttype: 'application/json-patch+json; charset=utf-8',
    data: { Temperature: 19, unit: 'c' },
  },
} satisfies Record<string, CloudEventLike>;

export type EventName = keyof typeof EVENTS;

export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
