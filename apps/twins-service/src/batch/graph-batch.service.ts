import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, type BatchOperation, type BatchOperationResult, type GraphBatchReply } from '@odt/contracts';
import type { DataSource } from 'typeorm';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { failedOperation, parseBatchOperations } from './batch-operations';
import { GraphOperations } from './graph-operations';
import { BatchConflict, GraphTransaction, RELATIONSHIPS_SCHEMA } from './graph-transaction';
import { OutboxWaker } from '@odt/outbox';
import { TWINS_SCHEMA } from '../database/data-source';

/** Deadlocks, serialization failures and rows created concurrently: the batch runs again. */
const MAX_ATTEMPTS = 5;
const RETRYABLE = new Set(['40P01', '40001']);

const pgCode = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Atomic graph batches (`POST /batch`) and cascade deletes: one Postgres transaction over the
 * twins and relationships schemas, each change with its event in its owner's outbox, so all
 * apply and publish, or none (docs/twins.md#batches).
 */
@Injectable()
export class GraphBatchService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ops: GraphOperations,
    @Inject(TWINS_CONFIG) private readonly config: TwinsConfig,
    private readonly waker: OutboxWaker,
  ) {}

  async run(operations: unknown): Promise<GraphBatchReply> {
    const parsed = parseBatchOperations(operations, this.config.BATCH_MAX_OPERATIONS);
    const results = await this.inTransaction(async (g) => {
      const out: BatchOperationResult[] = [];
      for (const [i, op] of parsed.entries()) {
        try {
          out.push(await this.apply(g, op));
        } catch (err) {
          throw err instanceof DomainError ? failedOperation(err, i, op) : err;
        }
      }
      return out;
    });
    return { results };
  }

  deleteCascade(id: string, ifMatch: string | undefined): Promise<number> {
    return this.inTransaction((g) => this.ops.deleteTwinCascade(g, id, ifMatch));
  }

  private async apply(g: GraphTransaction, op: BatchOperation): Promise<BatchOperationResult> {
    const key = { op: op.op, twinId: op.twinId, ...('relationshipId' in op ? { relationshipId: op.relationshipId } : {}) };
    switch (op.op) {
      case 'putTwin': return { ...key, etag: await this.ops.putTwin(g, op) };
      case 'patchTwin': return { ...key, etag: await this.ops.patchTwin(g, op) };
      case 'deleteTwin': await this.ops.deleteTwin(g, op); return key;
      case 'putRelationship': return { ...key, etag: await this.ops.putRelationship(g, op) };
      case 'patchRelationship': return { ...key, etag: await this.ops.patchRelationship(g, op) };
      case 'deleteRelationship': await this.ops.deleteRelationship(g, op); return key;
    }
  }

  private async inTransaction<T>(work: (g: GraphTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        // Committed, the relays of both outboxes it may have written to are woken.
        return await this.waker.afterCommit([TWINS_SCHEMA, RELATIONSHIPS_SCHEMA], () => this.db.transaction((tx) => work(new GraphTransaction(tx))));
      } catch (err) {
        const again = err instanceof BatchConflict || RETRYABLE.has(pgCode(err) ?? '');
        if (!again) throw err;
        if (attempt >= MAX_ATTEMPTS) throw new DomainError('ServiceUnavailable', 'The batch met concurrent writes too often; retry it.');
      }
    }
  }
}
