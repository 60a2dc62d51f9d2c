import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DigitalTwin, GetComponentReply, PatchOperation } from '@odt/contracts';
import { LRUCache } from 'lru-cache';
import { checkGraphId, formatEtag, matches, parseIfMatch, parseIfNoneMatch, patchBetween, patchInvalid, type IfMatch } from '@odt/graph-domain';
import { ModelCatalog, type ResolvedModel } from '@odt/model-catalog';
import { foreignKeyViolation } from '@odt/service-kit';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { adtTimestamp } from './timestamps';
import { buildTwinDocument, componentOf, modelOf, stripComponentMetadata, toTwin, userContent, type TwinDocument } from './twin-document';
import { TwinEvents } from './twin-events';
import { checkTwinLimits } from './twin-limits';
import { applyTwinPatch, parseComponentPatch, parsePatch } from './twin-patch';
import { TwinErrors } from './twins.errors';
import { requireModel, validateTwin } from './twin-validation';
import { TwinsRepository, type TwinModel, type TwinRow } from './twins.repository';

/** Enough for dozens of writers racing on one twin; past it the caller is told to retry. */
const MAX_WRITE_ATTEMPTS = 200;

@Injectable()
export class TwinsService {
  constructor(
    private readonly repo: TwinsRepository,
    private readonly catalog: ModelCatalog,
    private readonly events: TwinEvents,
    @Inject(TWINS_CONFIG) private readonly config: Pick<TwinsConfig, 'TWIN_MAX_BYTES' | 'RECENT_TWINS_CACHE_SIZE'>,
  ) {
    if (config.RECENT_TWINS_CACHE_SIZE > 0) this.recent = new LRUCache({ max: config.RECENT_TWINS_CACHE_SIZE });
  }

  /**
   * The twins this replica read or wrote last (none when off). A write may start from this copy
   * instead of reading the row: it is conditional on the copy's ETag, so a stale copy (another
   * replica wrote since) only costs a retry on a fresh read. Reads never use it; looking a twin up
   * (`peek`) does not make it recent, only reading or writing it does.
   */
  private readonly recent?: LRUCache<string, TwinRow>;

  async get(id: string): Promise<DigitalTwin> {
    checkGraphId('digital twin', id);
    const row = await this.repo.get(id);
    if (!row) throw TwinErrors.notFound(id);
    this.recent?.set(row.id, row);
    return toTwin(row.id, formatEtag(row.etag), row.document);
  }

  /** PUT: create, or replace (not merge) an existing twin; `If-None-Match: *` makes it create-only. */
  async upsert(id: string, body: unknown, ifNoneMatch: string | undefined): Promise<DigitalTwin> {
    checkGraphId('digital twin', id);
    const createOnly = parseIfNoneMatch(ifNoneMatch);
    const modelId = modelOf(body);
    const model = await requireModel(this.catalog, modelId);
    const doc = buildTwinDocument(body as Record<string, unknown>, model.info.flattened, adtTimestamp());
    validateTwin(model, doc);
    checkTwinLimits(doc, this.config.TWIN_MAX_BYTES);
    const etag = randomUUID();
    const twin = toTwin(id, formatEtag(etag), doc);
    const row = { id, model_id: modelId, etag, document: doc };

    // A twin this replica has not seen is most likely new: try the insert before reading.
    if (!this.recent?.peek(id) && !model.info.decommissioned && (await this.repo.insert(id, twinModel(model), etag, doc, this.events.created(twin)))) {
      return this.written(twin, row);
    }
    return this.withRetries(id, async (existing) => {
      if (existing && createOnly) throw TwinErrors.alreadyExists(id);
      if (!existing) {
        if (model.info.decommissioned) throw TwinErrors.decommissioned(modelId);
        if (await this.repo.insert(id, twinModel(model), etag, doc, this.events.created(twin))) return this.written(twin, row);
        if (createOnly) throw TwinErrors.alreadyExists(id);
        return undefined; // created concurrently: replace it
      }
      // Existing twins of a decommissioned model stay writable; moving a twin onto one is refused.
      if (model.info.decommissioned && existing.model_id !== modelId) throw TwinErrors.decommissioned(modelId);
      const event = this.events.updated(id, modelId, replacementPatch(existing, doc), formatEtag(etag));
      return (await this.repo.update(id, existing.etag, twinModel(model), etag, doc, event)) ? this.written(twin, row) : undefined;
    });
  }

  /** PATCH with JSON Patch; the result must validate against the (possibly new) model. */
  async patch(id: string, patch: unknown, ifMatch: string | undefined): Promise<{ etag: string }> {
    checkGraphId('digital twin', id);
    const precondition = parseIfMatch(ifMatch);
    return this.applyPatch(id, parsePatch(patch), precondition);
  }

  /** A component as ADT returns it (its properties and `$metadata`), with the twin's ETag. */
  async getComponent(id: string, component: string): Promise<GetComponentReply> {
    checkGraphId('digital twin', id);
    const row = await this.repo.get(id);
    if (!row) throw TwinErrors.notFound(id);
    const value = componentOf(row.document, component);
    if (!value) throw TwinErrors.componentNotFound(id, component);
    return { etag: formatEtag(row.etag), component: value };
  }

  /**
   * PATCH of a component: its paths, relative to the component, are prefixed with `/<component>`
   * and the twin's patch path does the rest (validation, metadata, a `Twin.Update` event whose
   * patch carries the absolute paths, as ADT's does).
   */
  async patchComponent(id: string, component: string, patch: unknown, ifMatch: string | undefined): Promise<{ etag: string }> {
    checkGraphId('digital twin', id);
    const precondition = parseIfMatch(ifMatch);
    return this.applyPatch(id, parseComponentPatch(component, patch), precondition, component);
  }

  private async applyPatch(
    id: string, ops: PatchOperation[], precondition: IfMatch, component?: string,
  ): Promise<{ etag: string }> {
    const newModelOp = [...ops].reverse().find((o) => o.path === '/$metadata/$model');
    if (newModelOp && typeof newModelOp.value !== 'string') throw patchInvalid('/$metadata/$model must be a model id.');
    const target = newModelOp ? await requireModel(this.catalog, newModelOp.value as string) : undefined;

    return this.withRetries(id, async (row) => {
      if (!row) throw TwinErrors.notFound(id);
      if (component !== undefined && !componentOf(row.document, component)) throw TwinErrors.componentNotFound(id, component);
      if (!matches(precondition, row.etag)) throw TwinErrors.etagMismatch(id);
      // Nothing to change: no write, no new ETag, no event.
      if (ops.length === 0) return { etag: formatEtag(row.etag) };
      if (target?.info.decommissioned && target.info.id !== row.model_id) throw TwinErrors.decommissioned(target.info.id);
      const model = target ?? (await requireModel(this.catalog, row.model_id));
      const components = model.info.flattened.components;
      const doc = applyTwinPatch(row.document, ops, (name) => Object.hasOwn(components, name), adtTimestamp());
      validateTwin(model, doc);
      checkTwinLimits(doc, this.config.TWIN_MAX_BYTES);
      const etag = randomUUID();
      if (await this.repo.update(id, row.etag, twinModel(model), etag, doc, this.events.updated(id, model.info.id, ops, formatEtag(etag)))) {
        return this.written({ etag: formatEtag(etag) }, { id, model_id: model.info.id, etag, document: doc });
      }
      // Another write got in first: the ETag the caller named is gone; without one, apply on top of it.
      if (precondition.kind === 'etag') throw TwinErrors.etagMismatch(id);
      return undefined;
    });
  }

  /** ADT deletes no relationships with a twin: the relationships' foreign keys (ON DELETE RESTRICT) refuse it. */
  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    checkGraphId('digital twin', id);
    const precondition = parseIfMatch(ifMatch);
    await this.withRetries(id, async (row) => {
      if (!row) throw TwinErrors.notFound(id);
      if (!matches(precondition, row.etag)) throw TwinErrors.etagMismatch(id);
      const event = this.events.deleted(toTwin(row.id, formatEtag(row.etag), row.document));
      const deleted = await this.repo.delete(id, row.etag, event).catch((err: unknown) => {
        if (foreignKeyViolation(err)) throw TwinErrors.relationshipsNotDeleted(id);
        throw err;
      });
      if (deleted) {
        this.recent?.delete(id);
        return true;
      }
      if (precondition.kind === 'etag') throw TwinErrors.etagMismatch(id);
      return undefined;
    });
  }

  /**
   * Optimistic concurrency: `attempt` decides on the twin as it was (`undefined`: absent) and writes
   * conditionally on that ETag, answering undefined when another write got in between; it then runs
   * again on a fresh read. The first attempt may start from the replica's recent copy; anything it
   * decides on that copy, an error included, is decided again on a fresh read unless it wrote.
   * Writes to one twin are thereby serialised by the database, in commit order.
   */
  private async withRetries<T>(id: string, attempt: (row: TwinRow | undefined) => Promise<T | undefined>): Promise<T> {
    let recent = this.recent?.peek(id);
    for (let i = 0; i < MAX_WRITE_ATTEMPTS; i++) {
      const fromRecent = recent !== undefined;
      const row = recent ?? (await this.repo.get(id));
      recent = undefined;
      try {
        const result = await attempt(row);
        if (result !== undefined) return result;
      } catch (err) {
        if (!fromRecent) throw err;
      }
      this.recent?.delete(id);
    }
    throw TwinErrors.tooContended(id);
  }

  private written<T>(result: T, row: TwinRow): T {
    this.recent?.set(row.id, row);
    return result;
  }


}

export const twinModel = (model: ResolvedModel): TwinModel => ({ id: model.info.id, ancestry: [model.info.id, ...model.info.flattened.bases] });

/** The effective change of a replacing PUT, as the `Twin.Update` event's patch. */
export function replacementPatch(before: TwinRow, after: TwinDocument): PatchOperation[] {
  const patch = patchBetween(stripComponentMetadata(userContent(before.document)), stripComponentMetadata(userContent(after)));
  if (before.model_id !== after.$metadata.$model) patch.push({ op: 'replace', path: '/$metadata/$model', value: after.$metadata.$model });
  return patch;
}
