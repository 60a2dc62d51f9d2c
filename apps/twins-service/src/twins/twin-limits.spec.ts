import type { DomainError } from '@odt/contracts';
import type { TwinDocument } from './twin-document';
import { checkTwinLimits } from './twin-limits';

const meta = { $model: 'dtmi:x:Room;1', $lastUpdateTime: '2024-01-01T00:00:00.0000000Z' };

function failure(doc: TwinDocument, max = 32 * 1024): DomainError | undefined {
  try {
    checkTwinLimits(doc, max);
  } catch (err) {
    return err as DomainError;
  }
  return undefined;
}

describe('checkTwinLimits', () => {
  it('accepts a twin up to the byte limit, metadata included, and refuses one past it with ValidationFailed', () => {
    const base = JSON.stringify({ name: '', $metadata: meta }).length;
    expect(failure({ name: 'x'.repeat(1024 - base), $metadata: meta })).toBeUndefined();
    const err = failure({ name: 'x'.repeat(1025 - base), $metadata: meta }, 1024);
    expect(err?.code).toBe('ValidationFailed');
    expect(err?.details?.[0].message).toContain('limited to 1024 bytes');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(failure({ name: 'é'.repeat(600), $metadata: meta }, 1024)?.code).toBe('ValidationFailed');
  });

  it('refuses a member name longer than 1 KB anywhere below the root, naming where', () => {
    const long = 'k'.repeat(1025);
    const err = failure({ tags: { ok: 'a', [long]: 'b' }, $metadata: meta });
    expect(err?.code).toBe('ValidationFailed');
    expect(err?.details?.[0].target).toMatch(/^\/tags\/k+\.\.\.$/);
    expect(failure({ list: [{ [long]: 1 }], $metadata: meta })?.details?.[0].target).toMatch(/^\/list\/0\//);
    expect(failure({ ['k'.repeat(1024)]: 1, $metadata: meta })).toBeUndefined();
  });
});
