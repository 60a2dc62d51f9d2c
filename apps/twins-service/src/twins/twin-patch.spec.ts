import { DomainError } from '@odt/contracts';
import type { TwinDocument } from './twin-document';
import { applyTwinPatch, parseComponentPatch, parsePatch } from './twin-patch';

const NOW = '2024-01-01T00:00:00.0000000Z';
const LATER = '2024-01-02T00:00:00.0000000Z';

const doc = (): TwinDocument => ({
  Temperature: 21,
  thermostat: { setPoint: 20, $metadata: { $lastUpdateTime: NOW, setPoint: { lastUpdateTime: NOW } } },
  $metadata: { $model: 'dtmi:x:Room;1', $lastUpdateTime: NOW, Temperature: { lastUpdateTime: NOW } },
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as DomainError).code;
  }
  return 'accepted';
}

describe('parsePatch', () => {
  it.each([
    ['an empty path', ''],
    ['the root', '/'],
    ['a trailing slash', '/Temperature/'],
    ['an empty segment', '/a//b'],
    ['no leading slash', 'Temperature'],
    ['$dtId', '/$dtId'],
    ['$etag', '/$etag'],
    ['$metadata/$etag', '/$metadata/$etag'],
    ['$metadata/$lastUpdateTime', '/$metadata/$lastUpdateTime'],
    ['the whole $metadata', '/$metadata'],
    ['another system property', '/$foo'],
    ['a component\'s $metadata as a whole', '/thermostat/$metadata'],
  ])('refuses %s with JsonPatchInvalid', (_what, path) => {
    expect(codeOf(() => parsePatch([{ op: 'add', path, value: 1 }]))).toBe('JsonPatchInvalid');
  });

  it('accepts property, component, model and sourceTime paths', () => {
    expect(parsePatch([
      { op: 'add', path: '/Temperature', value: 1 },
      { op: 'replace', path: '/thermostat/setPoint', value: 1 },
      { op: 'replace', path: '/$metadata/$model', value: 'dtmi:x:Room;2' },
      { op: 'add', path: '/$metadata/Temperature/sourceTime', value: NOW },
      { op: 'add', path: '/thermostat/$metadata/setPoint/sourceTime', value: NOW },
    ])).toHaveLength(5);
  });
});

describe('parseComponentPatch', () => {
  it('prefixes the relative paths with the component, JSON-Pointer-escaped', () => {
    expect(parseComponentPatch('thermostat', [
      { op: 'replace', path: '/setPoint', value: 22 },
      { op: 'add', path: '/$metadata/setPoint/sourceTime', value: NOW },
      { op: 'remove', path: '/other' },
    ])).toEqual([
      { op: 'replace', path: '/thermostat/setPoint', value: 22 },
      { op: 'add', path: '/thermostat/$metadata/setPoint/sourceTime', value: NOW },
      { op: 'remove', path: '/thermostat/other' },
    ]);
    expect(parseComponentPatch('a/b~c', [{ op: 'remove', path: '/x' }])[0].path).toBe('/a~1b~0c/x');
  });

  it.each([
    ['an empty path (the whole component)', ''],
    ['the component root', '/'],
    ['a trailing slash', '/setPoint/'],
    ['$metadata/$model', '/$metadata/$model'],
    ['$metadata/$lastUpdateTime', '/$metadata/$lastUpdateTime'],
    ['$dtId', '/$dtId'],
    ['$etag', '/$etag'],
  ])('refuses %s with JsonPatchInvalid', (_what, path) => {
    expect(codeOf(() => parseComponentPatch('thermostat', [{ op: 'add', path, value: 'x' }]))).toBe('JsonPatchInvalid');
  });

  it('refuses operations other than add, replace and remove', () => {
    expect(codeOf(() => parseComponentPatch('thermostat', [{ op: 'move', from: '/a', path: '/b' }]))).toBe('JsonPatchInvalid');
    expect(codeOf(() => parseComponentPatch('thermostat', { op: 'add' }))).toBe('JsonPatchInvalid');
  });
});

describe('applyTwinPatch', () => {
  const isComponent = (name: string) => name === 'thermostat';

  it('updates the component\'s metadata for a component property and keeps its sourceTime', () => {
    const ops = parseComponentPatch('thermostat', [
      { op: 'add', path: '/$metadata/setPoint/sourceTime', value: '2023-05-31T12:00:01Z' },
      { op: 'replace', path: '/setPoint', value: 23 },
    ]);
    const out = applyTwinPatch(doc(), ops, isComponent, LATER);
    expect(out.thermostat).toEqual({
      setPoint: 23,
      $metadata: { $lastUpdateTime: LATER, setPoint: { lastUpdateTime: LATER, sourceTime: '2023-05-31T12:00:01Z' } },
    });
    expect(out.$metadata.$lastUpdateTime).toBe(LATER);
    expect(out.$metadata.Temperature).toEqual({ lastUpdateTime: NOW });
  });

  it('refuses a component sourceTime that is not RFC 3339 with ValidationFailed', () => {
    const ops = parseComponentPatch('thermostat', [{ op: 'add', path: '/$metadata/setPoint/sourceTime', value: 'yesterday' }]);
    expect(codeOf(() => applyTwinPatch(doc(), ops, isComponent, LATER))).toBe('ValidationFailed');
  });

  it('cannot climb out of the document: `..` is just a member name that does not exist', () => {
    expect(codeOf(() => applyTwinPatch(doc(), parsePatch([{ op: 'add', path: '/../x', value: 1 }]), isComponent, LATER))).toBe('JsonPatchInvalid');
    expect(codeOf(() => applyTwinPatch(doc(), parseComponentPatch('thermostat', [{ op: 'add', path: '/../x', value: 1 }]), isComponent, LATER))).toBe('JsonPatchInvalid');
  });

  it('leaves the input document untouched', () => {
    const before = doc();
    applyTwinPatch(before, parsePatch([{ op: 'replace', path: '/Temperature', value: 5 }]), isComponent, LATER);
    expect(before).toEqual(doc());
  });
});
