import { DomainError, type ConnectionEnvelope, type MappedOperation, type PatchOperation } from '@odt/contracts';
import jsonata from 'jsonata';

/** Guardrails of every mapping (jsonata has none by default, so a loop would never end). */
export interface MappingLimits {
  /** ms per evaluation (JSONata's `timeout`, checked at every step: D1012). */
  timeoutMs: number;
  /** Evaluation depth (JSONata's `stack`: D1011). */
  stack: number;
  /** Most operations one message may produce. */
  maxOperations: number;
}

export const DEFAULT_MAPPING_LIMITS: MappingLimits = { timeoutMs: 200, stack: 100, maxOperations: 1000 };

/** A mapping failed on a message: `stage` for dead letters, `position` a character offset into the mapping. */
export class MappingError extends DomainError {
  constructor(code: 'MappingInvalid' | 'MappingFailed', message: string, readonly position?: number) {
    super(code, message, position === undefined ? undefined : [{ code, message, target: `mapping:${position}` }]);
  }
}

interface JsonataError {
  code?: string;
  position?: number;
  message?: string;
  token?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A connection's mapping, compiled once: from a message envelope to the operations it asks for.
 * `evaluate` runs JSONata (async but CPU-bound, bounded by the limits) and checks its output.
 */
export class ConnectionMapping {
  private readonly expression: jsonata.Expression;

  constructor(readonly source: string, private readonly limits: MappingLimits = DEFAULT_MAPPING_LIMITS) {
    if (typeof source !== 'string' || source.trim() === '') throw new MappingError('MappingInvalid', 'The mapping must be a non-empty JSONata expression.');
    try {
      this.expression = jsonata(source, { timeout: limits.timeoutMs, stack: limits.stack, sequence: limits.maxOperations * 10 });
    } catch (err) {
      const e = err as JsonataError;
      throw new MappingError('MappingInvalid', `The mapping does not compile: ${e.code ?? ''} ${e.message ?? String(err)} (at character ${e.position ?? '?'})`.replace('  ', ' '), e.position);
    }
  }

  async evaluate(envelope: ConnectionEnvelope): Promise<MappedOperation[]> {
    let output: unknown;
    try {
      output = await this.expression.evaluate(envelope);
    } catch (err) {
      if (err instanceof MappingError) throw err;
      const e = err as JsonataError;
      throw new MappingError('MappingFailed', `The mapping failed: ${e.code ? `${e.code} ` : ''}${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`, e.position);
    }
    return normaliseOutput(output, this.limits.maxOperations);
  }
}

/** The output of a mapping: an operation, an array of them, or nothing (dropped). */
export function normaliseOutput(output: unknown, maxOperations: number): MappedOperation[] {
  if (output === undefined || output === null) return [];
  const items = Array.isArray(output) ? output.flat(2) : [output];
  if (items.length > maxOperations) throw new MappingError('MappingFailed', `The mapping produced ${items.length} operations; at most ${maxOperations} per message.`);
  return items.map((item, i) => normaliseOperation(item, i));
}

const failed = (i: number, message: string) => new MappingError('MappingFailed', `Operation ${i} of the mapping's output: ${message}`);

function normaliseOperation(item: unknown, i: number): MappedOperation {
  if (!isObject(item)) throw failed(i, 'must be an object with twinId and one of patch, properties or telemetry.');
  const { twinId, patch, properties, telemetry, sourceTime, createIfMissing, component, messageId, ...rest } = item;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw failed(i, `unknown member ${extra.map((k) => JSON.stringify(k)).join(', ')}.`);
  if (typeof twinId !== 'string' || twinId === '') throw failed(i, 'twinId must be a non-empty string (was it undefined? a missing field removes the key).');
  const when = sourceTime === undefined ? undefined : toInstant(sourceTime, i);
  if (telemetry !== undefined) {
    if (patch !== undefined || properties !== undefined) throw failed(i, 'telemetry cannot be combined with patch or properties.');
    if (component !== undefined && typeof component !== 'string') throw failed(i, 'component must be a string.');
    if (messageId !== undefined && typeof messageId !== 'string') throw failed(i, 'messageId must be a string.');
    return { kind: 'telemetry', twinId, telemetry, ...(component ? { component } : {}), ...(messageId ? { messageId } : {}), ...(when ? { sourceTime: when } : {}) };
  }
  if (patch === undefined && properties === undefined) throw failed(i, 'needs patch, properties or telemetry.');
  if (createIfMissing !== undefined && (typeof createIfMissing !== 'string' || createIfMissing === '')) throw failed(i, 'createIfMissing must be a model id.');
  const ops: PatchOperation[] = [];
  if (patch !== undefined) {
    const list = Array.isArray(patch) ? patch : [patch];
    for (const op of list) {
      if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw failed(i, 'patch must be JSON Patch operations {op, path, value}.');
      if (op.op !== 'remove' && !('value' in op)) throw failed(i, `the ${op.op} of ${op.path} has no value (a missing field removes the key).`);
      ops.push(op as unknown as PatchOperation);
    }
  }
  if (properties !== undefined) {
    if (!isObject(properties)) throw failed(i, 'properties must be an object of property names to values.');
    for (const [name, value] of Object.entries(properties)) ops.push({ op: 'add', path: `/${pointer(name)}`, value });
  }
  if (when) ops.push(...sourceTimeOps(ops, when));
  return { kind: 'patch', twinId, patch: ops, ...(createIfMissing ? { createModel: createIfMissing as string } : {}) };
}

const pointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** `sourceTime` of the operation: for each top-level property it sets, `/$metadata/<prop>/sourceTime`. */
function sourceTimeOps(ops: PatchOperation[], when: string): PatchOperation[] {
  const props = new Set<string>();
  for (const op of ops) {
    const tokens = op.path.split('/').slice(1);
    if (op.op === 'remove' || tokens.length !== 1 || tokens[0].startsWith('$')) continue;
    props.add(tokens[0]);
  }
  return [...props].map((p) => ({ op: 'add' as const, path: `/$metadata/${p}/sourceTime`, value: when }));
}

/** An ISO 8601 string, or epoch milliseconds. */
function toInstant(value: unknown, i: number): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
  throw failed(i, 'sourceTime must be an ISO 8601 date-time or epoch milliseconds.');
}
