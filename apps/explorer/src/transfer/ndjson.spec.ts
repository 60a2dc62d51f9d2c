import { parseGraphFile, relationshipBody, twinBody, writeGraphFile } from './ndjson';

const FILE = [
  { Section: 'Header' }, { fileVersion: '1.0.0', author: 'a', organization: 'o' },
  { Section: 'Models' }, { '@id': 'dtmi:x:Room;1', '@type': 'Interface' },
  { Section: 'Twins' }, { $dtId: 'r1', $metadata: { $model: 'dtmi:x:Room;1' }, Temperature: 20 },
  { Section: 'Relationships' }, { $dtId: 'r1', $relationshipId: 'f', $targetId: 'r2', $relationshipName: 'feeds', weight: 0.5 },
].map((l) => JSON.stringify(l)).join('\n');

describe('the import-job file format', () => {
  it('reads the sections, relationships keyed by their source in $dtId', () => {
    const file = parseGraphFile(FILE);
    expect(file.header).toEqual({ fileVersion: '1.0.0', author: 'a', organization: 'o' });
    expect(file.models).toHaveLength(1);
    expect(file.twins[0].$dtId).toBe('r1');
    expect(file.relationships).toEqual([{ $sourceId: 'r1', $relationshipId: 'f', $targetId: 'r2', $relationshipName: 'feeds', weight: 0.5 }]);
  });

  it('names the line of a problem', () => {
    expect(() => parseGraphFile('{"Section":"Header"}\nnot json')).toThrow('line 2: not JSON');
    expect(() => parseGraphFile('{"$dtId":"x"}')).toThrow(/line 1: no section yet/);
    expect(() => parseGraphFile('{"Section":"Twins"}\n{"Section":"Models"}')).toThrow('line 2: section Models after Twins');
    expect(() => parseGraphFile('{"Section":"Twins"}\n{"name":"no id"}')).toThrow('line 2: a twin needs $dtId');
  });

  it('writes what it reads, relationship properties kept, ETags and metadata times dropped', () => {
    const file = parseGraphFile(FILE);
    const twins = file.twins.map((t) => ({ ...t, $etag: 'W/"1"', $metadata: { ...t.$metadata, $lastUpdateTime: 'x' } }));
    const text = writeGraphFile({ models: file.models, twins, relationships: file.relationships.map((r) => ({ ...r, $etag: 'W/"2"' })) });
    expect(text).toBe(`${FILE.split('\n').map((l, i) => (i === 1 ? JSON.stringify({ fileVersion: '1.0.0', author: 'Open Digital Twins Explorer', organization: '' }) : l)).join('\n')}\n`);
  });

  it('makes PUT bodies: no ids or ETags, components with empty metadata', () => {
    expect(twinBody({ $dtId: 'r1', $etag: 'W/"1"', $metadata: { $model: 'm', $lastUpdateTime: 't' }, T: 1, thermostat: { $metadata: { setPoint: {} }, setPoint: 2 } }))
      .toEqual({ $metadata: { $model: 'm' }, T: 1, thermostat: { $metadata: {}, setPoint: 2 } });
    expect(relationshipBody({ $relationshipId: 'f', $sourceId: 'a', $targetId: 'b', $relationshipName: 'feeds', $etag: 'x', weight: 1 })).toEqual({ $targetId: 'b', $relationshipName: 'feeds', weight: 1 });
  });
});
