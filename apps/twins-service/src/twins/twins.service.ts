import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DigitalTwin, ErrorDetail, PatchOperation } from '@odt/contracts';
import { compare, type Operation } from 'fast-json-patch';
import { ModelCatalog, type ResolvedModel } from '@odt/model-catalog';
import { formatEtag, parseIfMatch, parseIfNoneMatch } from './etag';
import { adtTimestamp } from './timestamps';
import { buildTwinDocument, modelOf, stripComponentMetadata, toTwin, userContent, type TwinDocument } from './twin-document';
import { TwinEvents } from './twin-events';
import { applyTwinPatch, parsePatch } from './twin-patch';
import { TwinErrors } from './twins.errors';
import { TwinsRepository, type TwinRow } from './twins.repository';
import { checkTwinId } from './twin-id';

@Injectable()
export class TwinsService {
  constructor(
    private readonly repo: TwinsRepository,
    private readonly catalog: ModelCatalog,
    private readonly events: TwinEvents,
  ) {}

  async get(id: string): Promise<DigitalTwin> {
    const row = await this.repo.get(id);
    if (!row) throw TwinErrors.notFound(id);
    return toTwin(row.id, formatEtag(row.etag), row.document);
  }

  /** PUT: create, or replace (not merge) an existing twin; `If-None-Match: *` makes it create-only. */
  async upsert(id: string, body: unknown, ifNoneMatch: string | undefined, requestId?: string): Promise<DigitalTwin> {
    checkTwinId(id);
    const createOnly = parseIfNoneMatch(ifNoneMatch);
    const modelId = modelOf(body);
    const model = await this.requireModel(modelId, requestId);
    const doc = buildTwinDocument(body as Record<string, unknown>, model.info.flattened, adtTimestamp());
    this.validate(model, doc);
    const etag = randomUUID();
    const twin = toTwin(id, formatEtag(etag), doc);

    for (let attempt = 0; ; attempt++) {
      const outcome = await this.repo.transaction(async (tx) => {
        const existing = await this.repo.lock(tx, id);
        if (existing && createOnly) throw TwinErrors.alreadyExists(id);
        if (!existing) {
          if (model.info.decommissioned) throw TwinErrors.decommissioned(modelId);
          if (!(await this.repo.insert(tx, id, modelId, etag, doc))) return 'raced' as const;
          await this.events.created(tx, twin);
          return 'done' as const;
        }
        await this.repo.update(tx, id, modelId, etag, doc);
        await this.events.updated(tx, id, modelId, replacementPatch(existing, doc));
        return 'done' as const;
      });
      if (outcome === 'done') return twin;
      // Another request created the twin between our lock attempt and insert: a create-only PUT loses, others replace.
      if (createOnly) throw TwinErrors.alreadyExists(id);
      if (attempt > 2) throw TwinErrors.alreadyExists(id);
    }
  }

  /** PATCH with JSON Patch; the result must validate against the (possibly new) model. */
  async patch(id: string, patch: unknown, ifMatch: string | undefined, requestId?: string): Promise<{ etag: string }> {
    const precondition = parseIfMatch(ifMatch);
    const ops = parsePatch(patch);
    const newModelOp = [...ops].reverse().find((o) => o.path === '/$metadata/$model');
    const target = newModelOp && typeof newModelOp.value === 'string' ? await this.requireModel(newModelOp.value, requestId) : undefined;
    if (newModelOp && typeof newModelOp.value !== 'string') throw TwinErrors.patchInvalid('/$metadata/$model must be a model id.');

    return this.repo.transaction(async (tx) => {
      const row = await this.repo.lock(tx, id);
      if (!row) throw TwinErrors.notFound(id);
      if (precondition.kind === 'etag' && precondition.uuid !== row.etag) throw TwinErrors.etagMismatch(id);
      const model = target ?? (await this.requireModel(row.model_id, requestId));
      const components = model.info.flattened.components;
      const doc = applyTwinPatch(row.document, ops, (name) => name in components, adtTimestamp());
      this.validate(model, doc);
      const etag = randomUUID();
      await this.repo.update(tx, id, model.info.id, etag, doc);
      await this.events.updated(tx, id, model.info.id, ops);
      return { etag: formatEtag(etag) };
    });
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    const precondition = parseIfMatch(ifMatch);
    await this.repo.transaction(async (tx) => {
      const row = await this.repo.lock(tx, id);
      if (!row) throw TwinErrors.notFound(id);
      if (precondition.kind === 'etag' && precondition.uuid !== row.etag) throw TwinErrors.etagMismatch(id);
      await this.repo.delete(tx, id);
      await this.events.deleted(tx, toTwin(row.id, formatEtag(row.etag), row.document));
    });
  }

  private async requireModel(modelId: string, requestId?: string): Promise<ResolvedModel> {
    const model = await this.catalog.resolve(modelId, requestId);
    if (!model) throw TwinErrors.unknownModel(modelId);
    return model;
  }

  private validate(model: ResolvedModel, doc: TwinDocument): void {
    const problems = model.validate(userContent(doc));
    if (problems.length > 0) {
      const details: ErrorDetail[] = problems.map((p) => ({ code: 'ValidationFailed', message: p.message, target: p.path }));
      throw TwinErrors.invalid(details);
    }
  }
}

/** The effective change of a replacing PUT, as the `Twin.Update` event's patch. */
function replacementPatch(before: TwinRow, after: TwinDocument): PatchOperation[] {
  const ops = compare(stripComponentMetadata(userContent(before.document)), stripComponentMetadata(userContent(after))) as Operation[];
  const patch = ops.filter((o): o is PatchOperation & Operation => o.op === 'add' || o.op === 'replace' || o.op === 'remove')
    .map((o) => (o.op === 'remove' ? { op: o.op, path: o.path } : { op: o.op, path: o.path, value: (o as { value: unknown }).value }));
  if (before.model_id !== after.$metadata.$model) patch.push({ op: 'replace', path: '/$metadata/$model', value: after.$metadata.$model });
  return patch;
}
