import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, type PatchManyItem, type PatchManyItemResult, type PatchManyReply, type PatchOperation } from '@odt/contracts';
import { checkGraphId, formatEtag, matches, parseIfMatch, type IfMatch } from '@odt/graph-domain';
import { appendManyToOutbox, OutboxWaker, type OutboxEntry } from '@odt/outbox';
import type { DataSource, EntityManager } from 'typeorm';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { TWINS_SCHEMA } from '../database/data-source';
import { toTwin } from '../twins/twin-document';
import { TwinEvents } from '../twins/twin-events';
import { parsePatch } from '../twins/twin-patch';
import { TwinErrors } from '../twins/twins.errors';
import type { TwinRow } from '../twins/twins.repository';
import { twinModel } from '../twins/twins.service';
import { GraphOperations } from './graph-operations';
import { BatchConflict } from './graph-transaction';

interface Parsed {
  item: PatchManyItem;
  ops: PatchOperation[];
  precondition: IfMatch;
}

interface Written {
  row: TwinRow;
  ancestry: string[];
  /** Inserted by this batch (create-if-missing), not updated. */
  created: boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * `odt.twins.patch-many`: many twin patches in one transaction of a handful of statements, each
 * item with its own ETag check, result and event, failing alone: the rows are locked in one
 * query, patched in memory in item order (several items on one twin apply one after another),
 * then written in one statement per kind, their events appended in item order.
 */
@Injectable()
export class PatchManyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ops: GraphOperations,
    private readonly events: TwinEvents,
    @Inject(TWINS_CONFIG) private readonly config: TwinsConfig,
    private readonly waker: OutboxWaker,
  ) {}

  async patchMany(items: PatchManyItem[]): Promise<PatchManyReply> {
    if (!Array.isArray(items)) throw new DomainError('InvalidArgument', '"items" must be an array.');
    if (items.length > this.config.PATCH_MANY_MAX_ITEMS) throw new DomainError('LimitExceeded', `At most ${this.config.PATCH_MANY_MAX_ITEMS} patches per call.`);
    const results: PatchManyItemResult[] = new Array(items.length);
    const parsed: (Parsed | undefined)[] = items.map((item, i) => {
      try {
        checkGraphId('digital twin', item.id);
        return { item, ops: parsePatch(item.patch), precondition: parseIfMatch(item.ifMatch) };
      } catch (err) {
        results[i] = failure(err);
        return undefined;
      }
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await this.waker.afterCommit([TWINS_SCHEMA], () => this.db.transaction((tx) => this.apply(tx, parsed)));
        applied.forEach((r, i) => { if (r) results[i] = r; });
        return { results };
      } catch (err) {
        if (!(err instanceof BatchConflict) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  private async apply(tx: EntityManager, parsed: (Parsed | undefined)[]): Promise<(PatchManyItemResult | undefined)[]> {
    const ids = [...new Set(parsed.flatMap((p) => (p ? [p.item.id] : [])))].sort();
    const locked: TwinRow[] = ids.length === 0 ? [] : await tx.query(
      `SELECT id, model_id, etag, document FROM twins.twins WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [ids],
    );
    const current = new Map(locked.map((r) => [r.id, r]));
    const written = new Map<string, Written>();
    const events: OutboxEntry[] = [];
    const results: (PatchManyItemResult | undefined)[] = parsed.map(() => undefined);
    for (const [i, p] of parsed.entries()) {
      if (!p) continue;
      try {
        results[i] = await this.applyOne(p, current, written, events);
      } catch (err) {
        results[i] = failure(err);
      }
    }
    await this.write(tx, [...written.values()]);
    await appendManyToOutbox(tx, TWINS_SCHEMA, events);
    return results;
  }

  private async applyOne(p: Parsed, current: Map<string, TwinRow>, written: Map<string, Written>, events: OutboxEntry[]): Promise<PatchManyItemResult> {
    const { id, createModel } = p.item;
    let row = current.get(id);
    let creating = false;
    if (!row) {
      if (!createModel || p.precondition.kind === 'etag') throw TwinErrors.notFound(id);
      const empty = await this.ops.emptyTwin(createModel);
      row = { id, model_id: empty.model.info.id, etag: '', document: empty.doc };
      creating = true;
    } else if (!matches(p.precondition, row.etag)) {
      throw TwinErrors.etagMismatch(id);
    }
    if (p.ops.length === 0 && !creating) return { etag: formatEtag(row.etag) };
    const next = await this.ops.patchedTwin(row.model_id, row.document, p.ops);
    const etag = randomUUID();
    const nextRow: TwinRow = { id, model_id: next.model.info.id, etag, document: next.doc };
    const model = twinModel(next.model);
    events.push(creating
      ? this.events.created(toTwin(id, formatEtag(etag), next.doc))
      : this.events.updated(id, model.id, p.ops, formatEtag(etag)));
    written.set(id, { row: nextRow, ancestry: model.ancestry, created: creating || (written.get(id)?.created ?? false) });
    current.set(id, nextRow);
    return creating ? { etag: formatEtag(etag), created: true } : { etag: formatEtag(etag) };
  }

  private async write(tx: EntityManager, rows: Written[]): Promise<void> {
    const record = (w: Written) => ({ id: w.row.id, model_id: w.row.model_id, ancestry: w.ancestry, etag: w.row.etag, document: w.row.document });
    const inserts = rows.filter((w) => w.created).map(record);
    const updates = rows.filter((w) => !w.created).map(record);
    const values = `jsonb_to_recordset($1::jsonb) AS v(id text, model_id text, ancestry text[], etag uuid, document jsonb)`;
    if (inserts.length > 0) {
      const done: unknown[] = await tx.query(
        `INSERT INTO twins.twins (id, model_id, model_ancestry, etag, document) SELECT v.id, v.model_id, v.ancestry, v.etag, v.document FROM ${values}
         ON CONFLICT (id) DO NOTHING RETURNING 1`, [JSON.stringify(inserts)],
      );
      if (done.length !== inserts.length) throw new BatchConflict('a twin was created concurrently');
    }
    if (updates.length > 0) {
      await tx.query(
        `UPDATE twins.twins t SET model_id = v.model_id, model_ancestry = v.ancestry, etag = v.etag, document = v.document, updated_at = clock_timestamp()
         FROM ${values} WHERE t.id = v.id`, [JSON.stringify(updates)],
      );
    }
  }
}

function failure(err: unknown): PatchManyItemResult {
  if (err instanceof DomainError) return { error: { code: err.code, message: err.message, ...(err.details?.length ? { details: err.details } : {}) } };
  throw err;
}
