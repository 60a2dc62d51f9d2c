import { DomainError, type PatchOperation } from '@odt/contracts';
import { applyPatchOperation, patchBetween } from './json-patch';

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('no error was thrown');
}

describe('applyPatchOperation', () => {
  it('adds, replaces and removes members and array elements', () => {
    let doc: Record<string, unknown> = { a: 1, list: [1, 2], nested: { x: 'y' } };
    doc = applyPatchOperation(doc, { op: 'add', path: '/b', value: { c: true } });
    doc = applyPatchOperation(doc, { op: 'replace', path: '/nested/x', value: 'z' });
    doc = applyPatchOperation(doc, { op: 'add', path: '/list/-', value: 3 });
    doc = applyPatchOperation(doc, { op: 'remove', path: '/a' });
    doc = applyPatchOperation(doc, { op: 'add', path: '/a~1b~0c', value: 2 });
    expect(doc).toEqual({ b: { c: true }, list: [1, 2, 3], nested: { x: 'z' }, 'a/b~c': 2 });
  });

  it.each<[string, PatchOperation, string]>([
    ['a replace of a missing member', { op: 'replace', path: '/missing', value: 1 }, 'Operation replace on /missing cannot be applied: '],
    ['a remove of a missing member', { op: 'remove', path: '/missing' }, 'Operation remove on /missing cannot be applied: '],
    ['an add below a missing parent', { op: 'add', path: '/missing/x', value: 1 }, 'Operation add on /missing/x cannot be applied: '],
    ['an add past the end of an array', { op: 'add', path: '/list/5', value: 1 }, 'Operation add on /list/5 cannot be applied: '],
    ['an add through __proto__', { op: 'add', path: '/__proto__/polluted', value: 1 }, 'Operation add on /__proto__/polluted cannot be applied: '],
    ['a replace of constructor/prototype', { op: 'replace', path: '/nested/constructor/prototype', value: 1 }, 'Operation replace on /nested/constructor/prototype cannot be applied: '],
  ])('refuses %s with JsonPatchInvalid naming the operation, on one line', (_what, op, start) => {
    const err = rejection(() => applyPatchOperation({ list: [1], nested: {} }, op));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('JsonPatchInvalid');
    expect(err.message.startsWith(start)).toBe(true);
    expect(err.message).not.toContain('\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('patchBetween', () => {
  it('lists what changed as add, replace and remove operations, nested members by their own path', () => {
    const before = { kept: 1, changed: 'a', gone: true, nested: { x: 1, y: 2 } };
    const after = { kept: 1, changed: 'b', added: [1], nested: { x: 1, y: 3, z: null } };
    expect(patchBetween(before, after)).toEqual(expect.arrayContaining([
      { op: 'replace', path: '/changed', value: 'b' },
      { op: 'remove', path: '/gone' },
      { op: 'add', path: '/added', value: [1] },
      { op: 'replace', path: '/nested/y', value: 3 },
      { op: 'add', path: '/nested/z', value: null },
    ]));
    expect(patchBetween(before, after)).toHaveLength(5);
  });

  it('is empty for equal documents', () => {
    expect(patchBetween({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });

  it.each([
    [{ a: 1, 'x/y': { '~': 1 } }, { 'x/y': { '~': 2 }, b: [1, { c: 2 }] }],
    [{ list: [1, 2, 3] }, { list: [3] }],
    [{}, { a: { b: { c: 'deep' } } }],
  ])('gives a patch that, applied to the first document, makes the second (%#)', (before, after) => {
    let doc: object = structuredClone(before);
    for (const op of patchBetween(before, after)) doc = applyPatchOperation(doc, op);
    expect(doc).toEqual(after);
  });
});
