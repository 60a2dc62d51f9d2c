import { foldTwinAsOf, type StoredTwinEvent } from './twin-as-of';

const T = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.0000000Z`;
const models = new Map([[1, 'dtmi:m;1'], [2, 'dtmi:m;2']]);
const dtmi = (id: number) => models.get(id) ?? null;
const checkpoint = {
  etag: 'e0', model: 1,
  document: { p: 1, label: 'a', $metadata: { $model: 'dtmi:m;1', $lastUpdateTime: T(0), p: { lastUpdateTime: T(0) }, label: { lastUpdateTime: T(0) } } },
};
const update = (s: number, changes: Record<string, unknown>, more: Partial<StoredTwinEvent> = {}): StoredTwinEvent =>
  ({ time: T(s), kind: 'u', etag: `e${s}`, model: 1, changes, removed: null, sourceTimes: null, ...more });

describe('foldTwinAsOf', () => {
  it('is the checkpoint when no event followed it, and nothing without either', () => {
    expect(foldTwinAsOf(checkpoint, [], dtmi)).toEqual(checkpoint);
    expect(foldTwinAsOf(undefined, [], dtmi)).toBeUndefined();
  });

  it('applies the last value of each key, removals, sourceTime and the last event\'s ETag and model, in any row order', () => {
    const twin = foldTwinAsOf(checkpoint, [
      update(3, { p: 3 }, { model: 2, removed: ['label'] }),
      update(1, { p: 2, q: 'x' }, { sourceTimes: { q: '2025-12-31T00:00:00Z' } }),
    ], dtmi);
    expect(twin).toEqual({
      etag: 'e3', model: 2,
      document: { p: 3, q: 'x', $metadata: { $model: 'dtmi:m;2', $lastUpdateTime: T(3), p: { lastUpdateTime: T(3) }, q: { lastUpdateTime: T(1), sourceTime: '2025-12-31T00:00:00Z' } } },
    });
  });

  it('keys objects in jsonb\'s order (shortest first), as Postgres printed the twin', () => {
    const twin = foldTwinAsOf(checkpoint, [update(1, { zz: 1, ab: 2 }, { sourceTimes: { ab: 'S' } })], dtmi);
    expect(Object.keys(twin!.document!)).toEqual(['p', 'ab', 'zz', 'label', '$metadata']);
    expect(Object.keys((twin!.document!.$metadata as Record<string, unknown>).ab as object)).toEqual(['sourceTime', 'lastUpdateTime']);
  });

  it('keeps a component\'s own $metadata, and starts again from the last create', () => {
    const created: StoredTwinEvent = { ...update(2, { c: 1, $metadata: { $model: 'dtmi:m;1', $lastUpdateTime: T(2) } }), kind: 'c' };
    const component = { x: 1, $metadata: { $lastUpdateTime: T(3) } };
    const twin = foldTwinAsOf(checkpoint, [update(1, { p: 9 }), created, update(2, { lost: true }), update(3, { comp: component })], dtmi);
    expect(twin?.document).toEqual({ c: 1, comp: component, $metadata: { $model: 'dtmi:m;1', $lastUpdateTime: T(3) } });
  });

  it('is nothing after a delete', () => {
    expect(foldTwinAsOf(checkpoint, [update(1, { p: 2 }), { ...update(2, {}), kind: 'd', changes: null }], dtmi)).toBeUndefined();
  });
});
