import { DomainError, type BatchOperation } from '@odt/contracts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const KINDS: Record<BatchOperation['op'], { relationship: boolean; body?: 'twin' | 'relationship' | 'patch'; ifNoneMatch: boolean }> = {
  putTwin: { relationship: false, body: 'twin', ifNoneMatch: true },
  patchTwin: { relationship: false, body: 'patch', ifNoneMatch: false },
  deleteTwin: { relationship: false, ifNoneMatch: false },
  putRelationship: { relationship: true, body: 'relationship', ifNoneMatch: true },
  patchRelationship: { relationship: true, body: 'patch', ifNoneMatch: false },
  deleteRelationship: { relationship: true, ifNoneMatch: false },
};

const bad = (index: number, message: string) =>
  new DomainError('InvalidArgument', `Operation ${index}: ${message}`, [{ code: 'InvalidArgument', message, target: `/operations/${index}` }]);

/**
 * Checks the shape of `POST /batch`'s `operations` before anything is read or written: an array
 * of 1..`max` objects, each with a known `op`, its ids and its body; preconditions are strings.
 */
export function parseBatchOperations(operations: unknown, max: number): BatchOperation[] {
  if (!Array.isArray(operations) || operations.length === 0) throw new DomainError('InvalidArgument', 'The batch must have a non-empty "operations" array.');
  if (operations.length > max) throw new DomainError('LimitExceeded', `A batch is limited to ${max} operations; this one has ${operations.length}.`);
  return operations.map((raw, i) => {
    if (!isObject(raw)) throw bad(i, 'an operation must be a JSON object.');
    const kind = typeof raw.op === 'string' ? KINDS[raw.op as BatchOperation['op']] : undefined;
    if (!kind || !Object.hasOwn(KINDS, raw.op as string)) throw bad(i, `"op" must be one of ${Object.keys(KINDS).join(', ')}.`);
    if (typeof raw.twinId !== 'string' || raw.twinId.length === 0) throw bad(i, '"twinId" is required.');
    if (kind.relationship && (typeof raw.relationshipId !== 'string' || raw.relationshipId.length === 0)) throw bad(i, '"relationshipId" is required.');
    if (kind.body && raw[kind.body] === undefined) throw bad(i, `"${kind.body}" is required.`);
    for (const header of ['ifMatch', 'ifNoneMatch'] as const) {
      if (raw[header] !== undefined && typeof raw[header] !== 'string') throw bad(i, `"${header}" must be a string.`);
    }
    if (raw.ifNoneMatch !== undefined && !kind.ifNoneMatch) throw bad(i, `"ifNoneMatch" applies only to puts.`);
    return raw as unknown as BatchOperation;
  });
}

/** The failing operation named in the error: its code stays, its message and details say which. */
export function failedOperation(err: DomainError, index: number, op: BatchOperation): DomainError {
  const what = 'relationshipId' in op ? `${op.op} ${op.twinId}/${op.relationshipId}` : `${op.op} ${op.twinId}`;
  return new DomainError(err.code, `Operation ${index} (${what}) failed, nothing was applied: ${err.message}`, [
    { code: err.code, message: err.message, target: `/operations/${index}` },
    ...(err.details ?? []),
  ]);
}
