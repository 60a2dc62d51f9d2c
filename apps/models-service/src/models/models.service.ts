import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError, MODEL_CHANGED_SUBJECT, namespaced, type FlattenedModelInfo, type ListModelsReply, type ListModelsRequest,
  type ModelChangedNotice, type ModelData,
} from '@odt/contracts';
import { DtdlParser, validateModels } from '@odt/dtdl';
import { NATS_CONNECTION } from '@odt/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import { MODELS_CONFIG, type ModelsConfig } from '../config';
import { decodeCursor, encodeCursor, toModelData } from './model-data';
import { ModelErrors } from './models.errors';
import { ModelsRepository, type NewModelRow } from './models.repository';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class ModelsService {
  constructor(
    private readonly repo: ModelsRepository,
    private readonly parser: DtdlParser,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** All-or-nothing upload; references within the batch and to stored models resolve in any order. */
  async create(documents: unknown): Promise<ModelData[]> {
    if (!Array.isArray(documents) || documents.length === 0) throw ModelErrors.notAnArray();
    if (documents.length > this.config.MODELS_MAX_PER_UPLOAD) throw ModelErrors.tooMany(this.config.MODELS_MAX_PER_UPLOAD);
    const ids = documents.map((d) => (d && typeof d === 'object' ? (d as Record<string, unknown>)['@id'] : undefined))
      .filter((id): id is string => typeof id === 'string');
    const existing = await this.repo.existingIds(ids);
    if (existing.length > 0) throw ModelErrors.alreadyExists(existing);

    const batch = await validateModels(documents, this.parser, (missing) => this.repo.documents(missing));
    const inBatch = new Set(batch.interfaces.map((i) => i.id));
    const rows: NewModelRow[] = batch.interfaces.map((i) => ({
      id: i.id,
      dtdlVersion: i.dtdlVersion,
      document: i.document,
      displayName: i.displayName,
      description: i.description,
      flattened: i.flattened,
      references: [
        ...i.dependencies.map((id) => ({ id, kind: referenceKind(i.flattened.components, id) })),
        ...i.relationshipTargets.map((id) => ({ id, kind: 'relationshipTarget' as const })),
      ],
    }));
    const storedDeps = [...new Set(rows.flatMap((r) => r.references.filter((x) => x.kind !== 'relationshipTarget').map((x) => x.id)))]
      .filter((id) => !inBatch.has(id));

    const stored = await this.repo.transaction(async (tx) => {
      const locked = await this.repo.lockReferenced(tx, storedDeps);
      const vanished = storedDeps.filter((id) => !locked.includes(id));
      if (vanished.length > 0) throw ModelErrors.referenceVanished(vanished);
      return this.repo.insertAll(tx, rows);
    }).catch((err: unknown) => {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw ModelErrors.alreadyExists(ids);
      throw err;
    });
    for (const r of stored) this.notify({ id: r.id, change: 'created' });
    return stored.map((r) => toModelData(r, false));
  }

  async list(req: ListModelsRequest): Promise<ListModelsReply> {
    const limit = Math.min(Math.max(1, req.maxItemsPerPage), this.config.MODELS_MAX_PAGE_SIZE);
    let after: string | undefined;
    if (req.cursor !== undefined) {
      after = decodeCursor(req.cursor);
      if (after === undefined) throw new DomainError('InvalidArgument', 'The continuation link of this list is invalid.');
    }
    let ids: string[] | undefined;
    if (req.dependenciesFor && req.dependenciesFor.length > 0) {
      const wanted = [...new Set(req.dependenciesFor)];
      const found = await this.repo.existingIds(wanted);
      const missing = wanted.filter((id) => !found.includes(id));
      if (missing.length > 0) throw ModelErrors.notFound(missing);
      ids = await this.repo.dependencyClosure(wanted);
    }
    const rows = await this.repo.page(after, limit + 1, ids);
    const page = rows.slice(0, limit);
    return {
      value: page.map((r) => toModelData(r, req.includeModelDefinition)),
      ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].seq) } : {}),
    };
  }

  async get(id: string, includeModelDefinition: boolean): Promise<ModelData> {
    const row = await this.repo.get(id);
    if (!row) throw ModelErrors.notFound([id]);
    return toModelData(row, includeModelDefinition);
  }

  /** Decommissioning is one-way and idempotent; existing twins of the model stay writable. */
  async decommission(id: string, patch: unknown): Promise<void> {
    if (!Array.isArray(patch) || patch.length === 0) throw ModelErrors.patchInvalid('The patch document must be a non-empty JSON array.');
    for (const op of patch as Record<string, unknown>[]) {
      if (!op || typeof op !== 'object') throw ModelErrors.patchInvalid('Each patch operation must be an object.');
      if (op.op !== 'replace') throw ModelErrors.patchInvalid(`Unsupported operation type ${String(op.op)}.`);
      if (op.path !== '/decommissioned') throw ModelErrors.patchInvalid(`Unsupported path ${String(op.path)}.`);
      if (op.value !== true) throw ModelErrors.cannotRecommission();
    }
    if (!(await this.repo.decommission(id))) throw ModelErrors.notFound([id]);
    this.notify({ id, change: 'decommissioned' });
  }

  async delete(id: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      if (!(await this.repo.lockForDelete(tx, id))) throw ModelErrors.notFound([id]);
      const by = await this.repo.referencedBy(tx, id);
      if (by.length > 0) throw ModelErrors.referencedBy(id, by);
      await this.repo.delete(tx, id);
    });
    this.notify({ id, change: 'deleted' });
  }

  flattened(ids: string[]): Promise<FlattenedModelInfo[]> {
    return this.repo.flattened(ids);
  }

  /** Best effort: caches also expire on their own. */
  private notify(notice: ModelChangedNotice): void {
    try {
      this.nc.publish(namespaced(this.config.NATS_NAMESPACE, MODEL_CHANGED_SUBJECT), JSON.stringify(notice));
    } catch {
      // NATS reconnecting: the caches' TTL covers a lost notice.
    }
  }
}

/** A direct dependency is either a component schema or (otherwise) an `extends` parent. */
function referenceKind(components: Record<string, string>, id: string): 'component' | 'extends' {
  return Object.values(components).includes(id) ? 'component' : 'extends';
}
