import { EventTypes, type DigitalTwinsEvent } from '@odt/contracts';
import { applyRelationshipEvent } from './relationship-history';
import { applyTwinEvent, type TwinState } from './twin-history';

const event = (type: DigitalTwinsEvent['type'], subject: string, time: string, data: unknown, extra: Record<string, string> = {}): DigitalTwinsEvent =>
  ({ specversion: '1.0', id: `id-${time}`, source: 's', type, subject, time, datacontenttype: 'application/json', data, ...extra }) as DigitalTwinsEvent;

const ETAG1 = '11111111-1111-1111-1111-111111111111';
const ETAG2 = '22222222-2222-2222-2222-222222222222';
const created = {
  $dtId: 'r1', $etag: `W/"${ETAG1}"`, name: 'a', address: { city: 'X', street: 'Y' },
  thermostat: { setPoint: 20, $metadata: { $lastUpdateTime: 'T0', setPoint: { lastUpdateTime: 'T0' } } },
  $metadata: { $model: 'dtmi:m;1', $lastUpdateTime: 'T0', name: { lastUpdateTime: 'T0' }, address: { lastUpdateTime: 'T0', sourceTime: 'S' } },
};

function createdState(): TwinState {
  const r = applyTwinEvent(undefined, event(EventTypes.TwinCreate, 'r1', '2026-01-01T00:00:00.000001Z', created));
  if ('skipped' in r) throw new Error(r.skipped);
  expect(r.row).toMatchObject({ kind: 'c', etag: ETAG1, model: 'dtmi:m;1' });
  expect(r.row.changes).not.toHaveProperty('$dtId');
  return r.state;
}

describe('applyTwinEvent', () => {
  it('records the whole new value of a property patched deep inside, with its sourceTime', () => {
    const r = applyTwinEvent(createdState(), event(EventTypes.TwinUpdate, 'r1', '2026-01-01T00:00:01.000000Z',
      { modelId: 'dtmi:m;1', patch: [{ op: 'replace', path: '/address/city', value: 'Z' }] }, { etag: `W/"${ETAG2}"` }));
    if ('skipped' in r) throw new Error(r.skipped);
    expect(r.row).toMatchObject({ kind: 'u', etag: ETAG2, changes: { address: { city: 'Z', street: 'Y' } }, removed: null, sourceTimes: { address: 'S' } });
    expect((r.state.document!.$metadata as Record<string, unknown>).address).toEqual({ lastUpdateTime: '2026-01-01T00:00:01.0000000Z', sourceTime: 'S' });
  });

  it('records a component whole, with the changed member\'s lastUpdateTime set to the event time', () => {
    const r = applyTwinEvent(createdState(), event(EventTypes.TwinUpdate, 'r1', '2026-01-01T00:00:02.000000Z',
      { modelId: 'dtmi:m;1', patch: [{ op: 'replace', path: '/thermostat/setPoint', value: 22 }] }, { etag: `W/"${ETAG2}"` }));
    if ('skipped' in r) throw new Error(r.skipped);
    expect(r.row.changes).toEqual({ thermostat: { setPoint: 22, $metadata: { $lastUpdateTime: '2026-01-01T00:00:02.0000000Z', setPoint: { lastUpdateTime: '2026-01-01T00:00:02.0000000Z' } } } });
  });

  it('lists removed properties, and a model change in the row', () => {
    const r = applyTwinEvent(createdState(), event(EventTypes.TwinUpdate, 'r1', '2026-01-01T00:00:03.000000Z',
      { modelId: 'dtmi:m;2', patch: [{ op: 'remove', path: '/name' }, { op: 'replace', path: '/$metadata/$model', value: 'dtmi:m;2' }] }, { etag: `W/"${ETAG2}"` }));
    if ('skipped' in r) throw new Error(r.skipped);
    expect(r.row).toMatchObject({ model: 'dtmi:m;2', changes: {}, removed: ['name'] });
    expect(r.state.document).not.toHaveProperty('name');
  });

  it('skips the last event again, an earlier one, and an update of a twin it never saw created', () => {
    const state = createdState();
    expect(applyTwinEvent(state, event(EventTypes.TwinCreate, 'r1', '2026-01-01T00:00:00.000001Z', created))).toEqual({ skipped: 'duplicate' });
    expect(applyTwinEvent(state, event(EventTypes.TwinUpdate, 'r1', '2025-12-31T00:00:00.000000Z', { modelId: 'm', patch: [] }))).toEqual({ skipped: 'redelivered' });
    expect(applyTwinEvent(undefined, event(EventTypes.TwinUpdate, 'r1', '2026-01-01T00:00:00.000000Z', { modelId: 'm', patch: [] }))).toEqual({ skipped: 'unknown-twin' });
  });

  it('marks the twin deleted', () => {
    const r = applyTwinEvent(createdState(), event(EventTypes.TwinDelete, 'r1', '2026-01-01T00:00:04.000000Z', created));
    if ('skipped' in r) throw new Error(r.skipped);
    expect(r.row).toMatchObject({ kind: 'd', etag: ETAG1 });
    expect(r.state.document).toBeNull();
  });
});

describe('applyRelationshipEvent', () => {
  it('follows a retargeting replace and a property patch', () => {
    const c = applyRelationshipEvent(undefined, event(EventTypes.RelationshipCreate, 'a/relationships/r', '2026-01-01T00:00:00.000000Z',
      { $relationshipId: 'r', $etag: `W/"${ETAG1}"`, $sourceId: 'a', $relationshipName: 'feeds', $targetId: 'b', weight: 1 }));
    if ('skipped' in c) throw new Error(c.skipped);
    expect(c.row).toMatchObject({ sourceId: 'a', relationshipId: 'r', kind: 'c', targetId: 'b', changes: { weight: 1 } });
    const u = applyRelationshipEvent(c.state, event(EventTypes.RelationshipUpdate, 'a/relationships/r', '2026-01-01T00:00:01.000000Z',
      { modelId: 'm', patch: [{ op: 'replace', path: '/weight', value: 2 }, { op: 'replace', path: '/$targetId', value: 'c' }] }, { etag: `W/"${ETAG2}"` }));
    if ('skipped' in u) throw new Error(u.skipped);
    expect(u.row).toMatchObject({ kind: 'u', etag: ETAG2, targetId: 'c', name: 'feeds', changes: { weight: 2 }, removed: null });
  });
});
