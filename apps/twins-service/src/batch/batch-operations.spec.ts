import { DomainError } from '@odt/contracts';
import { failedOperation, parseBatchOperations } from './batch-operations';

const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('did not throw');
};

describe('the operations of a graph batch', () => {
  it('accepts the six kinds with their ids, bodies and preconditions', () => {
    const ops = [
      { op: 'putTwin', twinId: 'a', twin: {}, ifNoneMatch: '*' },
      { op: 'patchTwin', twinId: 'a', patch: [], ifMatch: '*' },
      { op: 'deleteTwin', twinId: 'a' },
      { op: 'putRelationship', twinId: 'a', relationshipId: 'r', relationship: {} },
      { op: 'patchRelationship', twinId: 'a', relationshipId: 'r', patch: [] },
      { op: 'deleteRelationship', twinId: 'a', relationshipId: 'r' },
    ];
    expect(parseBatchOperations(ops, 10)).toEqual(ops);
  });

  it('names the operation whose shape is wrong', () => {
    expect(thrown(() => parseBatchOperations([{ op: 'putTwin', twinId: 'a', twin: {} }, { op: 'patchTwin', twinId: 'b' }], 10)))
      .toMatchObject({ code: 'InvalidArgument', message: 'Operation 1: "patch" is required.', details: [{ target: '/operations/1' }] });
    expect(thrown(() => parseBatchOperations([{ op: 'toString', twinId: 'a' }], 10)).message).toMatch(/"op" must be one of/);
    expect(thrown(() => parseBatchOperations([{ op: 'deleteRelationship', twinId: 'a' }], 10)).message).toMatch(/relationshipId/);
    expect(thrown(() => parseBatchOperations([{ op: 'deleteTwin', twinId: 'a', ifNoneMatch: '*' }], 10)).message).toMatch(/only to puts/);
    expect(thrown(() => parseBatchOperations([{ op: 'deleteTwin', twinId: 'a', ifMatch: 1 }], 10)).message).toMatch(/must be a string/);
    expect(thrown(() => parseBatchOperations([null], 10)).message).toMatch(/JSON object/);
  });

  it('refuses an empty batch and one over the limit', () => {
    expect(thrown(() => parseBatchOperations([], 10)).code).toBe('InvalidArgument');
    expect(thrown(() => parseBatchOperations({}, 10)).code).toBe('InvalidArgument');
    expect(thrown(() => parseBatchOperations(Array.from({ length: 3 }, () => ({ op: 'deleteTwin', twinId: 'a' })), 2)).code).toBe('LimitExceeded');
  });

  it('keeps the failing operation\'s code and says which one failed', () => {
    const err = failedOperation(new DomainError('PreconditionFailed', 'stale', [{ code: 'X', message: 'y' }]), 4, { op: 'patchTwin', twinId: 't', patch: [] });
    expect(err).toMatchObject({ code: 'PreconditionFailed', message: 'Operation 4 (patchTwin t) failed, nothing was applied: stale' });
    expect(err.details).toEqual([{ code: 'PreconditionFailed', message: 'stale', target: '/operations/4' }, { code: 'X', message: 'y' }]);
  });
});
