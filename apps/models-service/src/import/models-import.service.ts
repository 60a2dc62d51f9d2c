import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError, MODEL_CHANGED_SUBJECT, namespaced, type ImportBatchReply, type ImportBatchRequest, type ImportLineError, type ModelChangedNotice,
} from '@odt/contracts';
import { DtdlParser, validateModels } from '@odt/dtdl';
import { importLineError } from '@odt/graph-domain';
import { NATS_CONNECTION } from '@odt/messaging';
import { oncePerImportBatch } from '@odt/outbox';
import type { NatsConnection } from '@nats-io/transport-node';
import { MODELS_CONFIG, type ModelsConfig } from '../config';
import { MODELS_SCHEMA } from '../database/data-source';
import { ModelErrors } from '../models/models.errors';
import { ModelsRepository, type NewModelRow } from '../models/models.repository';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Models section of an import job, in one upload (ADT's 250 cap and MODELS_MAX_PER_UPLOAD do
 * not apply): a model whose id is already stored (or repeated in the file) is an error on its line
 * and left out; the rest are validated together, as `POST /models` validates them, and stored in
 * one transaction. A batch that does not validate fails as a whole (the job fails with its details).
 */
@Injectable()
export class ModelsImportService {
  constructor(
    private readonly repo: ModelsRepository,
    private readonly parser: DtdlParser,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async importBatch(req: ImportBatchRequest): Promise<ImportBatchReply> {
    const reply = await this.repo.transaction((tx) => oncePerImportBatch(tx, MODELS_SCHEMA, req.jobId, req.batch, async () => {
      const errors: ImportLineError[] = [];
      const ids = req.items.map((i) => (isObject(i.value) && typeof i.value['@id'] === 'string' ? i.value['@id'] : undefined));
      const existing = new Set(await this.repo.existingIds(ids.filter((id): id is string => id !== undefined), tx));
      const seen = new Set<string>();
      const documents: unknown[] = [];
      req.items.forEach((item, i) => {
        const id = ids[i];
        if (id !== undefined && (existing.has(id) || seen.has(id))) {
          errors.push(importLineError(item.line, ModelErrors.alreadyExists([id])));
          return;
        }
        if (id !== undefined) seen.add(id);
        documents.push(item.value);
      });
      if (documents.length === 0) return { created: 0, errors, ids: [] as string[] };
      const batch = await validateModels(documents, this.parser, (missing) => this.repo.documents(missing));
      const inBatch = new Set(batch.interfaces.map((m) => m.id));
      const rows: NewModelRow[] = batch.interfaces.map((m) => ({
        id: m.id, dtdlVersion: m.dtdlVersion, document: m.document, displayName: m.displayName, description: m.description, flattened: m.flattened,
        references: [
          ...m.dependencies.map((id) => ({ id, kind: Object.values(m.flattened.components).includes(id) ? 'component' as const : 'extends' as const })),
          ...m.relationshipTargets.map((id) => ({ id, kind: 'relationshipTarget' as const })),
        ],
      }));
      const storedDeps = [...new Set(rows.flatMap((r) => r.references.filter((x) => x.kind !== 'relationshipTarget').map((x) => x.id)))].filter((id) => !inBatch.has(id));
      const locked = await this.repo.lockReferenced(tx, storedDeps);
      const vanished = storedDeps.filter((id) => !locked.includes(id));
      if (vanished.length > 0) throw ModelErrors.referenceVanished(vanished);
      const stored = await this.repo.insertAll(tx, rows);
      return { created: stored.length, errors, ids: stored.map((r) => r.id) };
    })).catch((err: unknown) => {
      if ((err as { code?: string }).code === '23505') throw new DomainError('ModelIdAlreadyExists', 'A model of this file was stored by another upload meanwhile.');
      throw err;
    });
    for (const id of reply.ids) this.notify({ id, change: 'created' });
    return { created: reply.created, errors: reply.errors };
  }

  private notify(notice: ModelChangedNotice): void {
    try {
      this.nc.publish(namespaced(this.config.NATS_NAMESPACE, MODEL_CHANGED_SUBJECT), JSON.stringify(notice));
    } catch {
      // NATS reconnecting: the caches' TTL covers a lost notice.
    }
  }
}
