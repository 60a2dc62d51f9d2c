import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { BatchOperation, PatchOperation } from '@odt/contracts';
import {
  applyPropertyPatch, checkGraphId, formatEtag, matches, parseIfMatch, parseIfNoneMatch, parsePatchOperations, parseRelationshipBody, patchInvalid,
  relationshipReplacementPatch, RelationshipErrors, toRelationship, type RelationshipRow,
} from '@odt/graph-domain';
import { ModelCatalog, type ResolvedModel } from '@odt/model-catalog';
import { foreignKeyViolation } from '@odt/service-kit';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { adtTimestamp } from '../twins/timestamps';
import { buildTwinDocument, modelOf, toTwin, type TwinDocument } from '../twins/twin-document';
import { TwinEvents } from '../twins/twin-events';
import { checkTwinLimits } from '../twins/twin-limits';
import { applyTwinPatch, parsePatch } from '../twins/twin-patch';
import { TwinErrors } from '../twins/twins.errors';
import { requireModel, validateTwin } from '../twins/twin-validation';
import { replacementPatch, twinModel } from '../twins/twins.service';
import type { GraphTransaction } from './graph-transaction';
import { BatchRelationshipEvents } from './relationship-events';

type Op<K extends BatchOperation['op']> = Extract<BatchOperation, { op: K }>;

/**
 * The six write operations of a graph batch, each deciding on the state the transaction shows
 * (earlier operations included) with the rules of its single-operation API, and writing its
 * change and its event through the transaction. Returns the new ETag (none for deletes).
 */
@Injectable()
export class GraphOperations {
  constructor(
    private readonly catalog: ModelCatalog,
    private readonly twinEvents: TwinEvents,
    private readonly relationshipEvents: BatchRelationshipEvents,
    @Inject(TWINS_CONFIG) private readonly config: TwinsConfig,
  ) {}

  async putTwin(g: GraphTransaction, op: Op<'putTwin'>): Promise<string> {
    checkGraphId('digital twin', op.twinId);
    const createOnly = parseIfNoneMatch(op.ifNoneMatch);
    const precondition = parseIfMatch(op.ifMatch);
    const modelId = modelOf(op.twin);
    const model = await requireModel(this.catalog, modelId);
    const doc = buildTwinDocument(op.twin as Record<string, unknown>, model.info.flattened, adtTimestamp());
    validateTwin(model, doc);
    checkTwinLimits(doc, this.config.TWIN_MAX_BYTES);
    const etag = randomUUID();
    const row = { id: op.twinId, model_id: modelId, etag, document: doc };
    const existing = await g.twin(op.twinId);
    if (existing && createOnly) throw TwinErrors.alreadyExists(op.twinId);
    if (!existing) {
      if (precondition.kind === 'etag') throw TwinErrors.notFound(op.twinId);
      if (model.info.decommissioned) throw TwinErrors.decommissioned(modelId);
      await g.insertTwin(row, twinModel(model), this.twinEvents.created(toTwin(op.twinId, formatEtag(etag), doc)));
      return formatEtag(etag);
    }
    if (!matches(precondition, existing.etag)) throw TwinErrors.etagMismatch(op.twinId);
    if (model.info.decommissioned && existing.model_id !== modelId) throw TwinErrors.decommissioned(modelId);
    await g.updateTwin(row, twinModel(model), this.twinEvents.updated(op.twinId, modelId, replacementPatch(existing, doc), formatEtag(etag)));
    return formatEtag(etag);
  }

  async patchTwin(g: GraphTransaction, op: Op<'patchTwin'>): Promise<string> {
    checkGraphId('digital twin', op.twinId);
    const precondition = parseIfMatch(op.ifMatch);
    const ops = parsePatch(op.patch);
    const row = await g.twin(op.twinId);
    if (!row) throw TwinErrors.notFound(op.twinId);
    if (!matches(precondition, row.etag)) throw TwinErrors.etagMismatch(op.twinId);
    if (ops.length === 0) return formatEtag(row.etag);
    const next = await this.patchedTwin(row.model_id, row.document, ops);
    const etag = randomUUID();
    await g.updateTwin({ id: op.twinId, model_id: next.model.info.id, etag, document: next.doc }, twinModel(next.model),
      this.twinEvents.updated(op.twinId, next.model.info.id, ops, formatEtag(etag)));
    return formatEtag(etag);
  }

  /**
   * A twin document after a JSON Patch, validated against its (possibly new) model; shared with
   * `odt.twins.patch-many`.
   */
  async patchedTwin(modelId: string, document: TwinDocument, ops: PatchOperation[]): Promise<{ model: ResolvedModel; doc: TwinDocument }> {
    const newModelOp = [...ops].reverse().find((o) => o.path === '/$metadata/$model');
    if (newModelOp && typeof newModelOp.value !== 'string') throw patchInvalid('/$metadata/$model must be a model id.');
    const target = newModelOp ? await requireModel(this.catalog, newModelOp.value as string) : undefined;
    if (target?.info.decommissioned && target.info.id !== modelId) throw TwinErrors.decommissioned(target.info.id);
    const model = target ?? (await requireModel(this.catalog, modelId));
    const components = model.info.flattened.components;
    const doc = applyTwinPatch(document, ops, (name) => Object.hasOwn(components, name), adtTimestamp());
    validateTwin(model, doc);
    checkTwinLimits(doc, this.config.TWIN_MAX_BYTES);
    return { model, doc };
  }

  /** A new twin of `modelId` with every component present and empty: what create-if-missing starts from. */
  async emptyTwin(modelId: string): Promise<{ model: ResolvedModel; doc: TwinDocument }> {
    const model = await requireModel(this.catalog, modelId);
    if (model.info.decommissioned) throw TwinErrors.decommissioned(modelId);
    const body: Record<string, unknown> = { $metadata: { $model: modelId } };
    for (const name of Object.keys(model.info.flattened.components)) body[name] = { $metadata: {} };
    return { model, doc: buildTwinDocument(body, model.info.flattened, adtTimestamp()) };
  }

  async deleteTwin(g: GraphTransaction, op: Op<'deleteTwin'>): Promise<void> {
    checkGraphId('digital twin', op.twinId);
    const precondition = parseIfMatch(op.ifMatch);
    const row = await g.twin(op.twinId);
    if (!row) throw TwinErrors.notFound(op.twinId);
    if (!matches(precondition, row.etag)) throw TwinErrors.etagMismatch(op.twinId);
    await g.deleteTwin(op.twinId, this.twinEvents.deleted(toTwin(row.id, formatEtag(row.etag), row.document))).catch((err: unknown) => {
      if (foreignKeyViolation(err)) throw TwinErrors.relationshipsNotDeleted(op.twinId);
      throw err;
    });
  }

  async putRelationship(g: GraphTransaction, op: Op<'putRelationship'>): Promise<string> {
    const { twinId: sourceId, relationshipId } = op;
    checkGraphId('relationship', relationshipId);
    const createOnly = parseIfNoneMatch(op.ifNoneMatch);
    const precondition = parseIfMatch(op.ifMatch);
    const input = parseRelationshipBody(op.relationship, sourceId, relationshipId);
    if (input.targetId === sourceId) throw RelationshipErrors.selfLoop(sourceId);
    const sourceModelId = await g.twinModel(sourceId);
    if (!sourceModelId) throw RelationshipErrors.twinNotFound(sourceId);
    const targetModelId = await g.twinModel(input.targetId);
    if (!targetModelId) throw RelationshipErrors.targetNotFound(input.targetId);
    const model = await this.catalog.resolve(sourceModelId);
    if (!model) throw RelationshipErrors.sourceModelMissing(sourceModelId);
    const declared = model.relationship(input.name);
    if (!declared) throw RelationshipErrors.undeclared(input.name, model.info.id);
    if (declared.definition.target) {
      const targetModel = await this.catalog.resolve(targetModelId);
      if (targetModel && !targetModel.isA(declared.definition.target)) throw RelationshipErrors.wrongTarget(input.name, declared.definition.target, targetModelId);
    }
    validateRelationship(declared.validate(input.properties));
    const max = declared.definition.maxMultiplicity;
    if (this.config.ENFORCE_MAX_MULTIPLICITY && max !== undefined && (await g.countByName(sourceId, input.name, relationshipId)) >= max) {
      throw RelationshipErrors.tooMany(input.name, max);
    }
    const row: RelationshipRow = { source_id: sourceId, relationship_id: relationshipId, name: input.name, target_id: input.targetId, etag: randomUUID(), properties: input.properties };
    const existing = await g.relationship(sourceId, relationshipId);
    if (existing && createOnly) throw RelationshipErrors.alreadyExists(sourceId, relationshipId);
    if (existing && !matches(precondition, existing.etag)) throw RelationshipErrors.etagMismatch(relationshipId);
    if (!existing && precondition.kind === 'etag') throw RelationshipErrors.notFound(sourceId, relationshipId);
    await this.relationshipWrite(async () => {
      if (!existing) await g.insertRelationship(row, this.relationshipEvents.created(toRelationship(row)));
      else await g.updateRelationship(row, this.relationshipEvents.updated(sourceId, relationshipId, model.info.id, relationshipReplacementPatch(existing, row), formatEtag(row.etag)));
    }, sourceId, input.targetId);
    return formatEtag(row.etag);
  }

  async patchRelationship(g: GraphTransaction, op: Op<'patchRelationship'>): Promise<string> {
    const { twinId: sourceId, relationshipId } = op;
    const precondition = parseIfMatch(op.ifMatch);
    const ops = parsePatchOperations(op.patch);
    for (const o of ops) if (o.path.startsWith('/$')) throw patchInvalid(`${o.path.split('/')[1]} cannot be changed by a patch.`);
    const row = await g.relationship(sourceId, relationshipId);
    if (!row) throw await this.missingRelationship(g, sourceId, relationshipId);
    if (!matches(precondition, row.etag)) throw RelationshipErrors.etagMismatch(relationshipId);
    if (ops.length === 0) return formatEtag(row.etag);
    const sourceModelId = (await g.twinModel(sourceId))!;
    const model = await this.catalog.resolve(sourceModelId);
    if (!model) throw RelationshipErrors.sourceModelMissing(sourceModelId);
    const declared = model.relationship(row.name);
    if (!declared) throw RelationshipErrors.undeclared(row.name, model.info.id);
    const properties = applyPropertyPatch(row.properties, ops);
    validateRelationship(declared.validate(properties));
    const next: RelationshipRow = { ...row, properties, etag: randomUUID() };
    await g.updateRelationship(next, this.relationshipEvents.updated(sourceId, relationshipId, model.info.id, ops, formatEtag(next.etag)));
    return formatEtag(next.etag);
  }

  async deleteRelationship(g: GraphTransaction, op: Op<'deleteRelationship'>): Promise<void> {
    const precondition = parseIfMatch(op.ifMatch);
    const row = await g.relationship(op.twinId, op.relationshipId);
    if (!row) throw await this.missingRelationship(g, op.twinId, op.relationshipId);
    if (!matches(precondition, row.etag)) throw RelationshipErrors.etagMismatch(op.relationshipId);
    await g.deleteRelationship(op.twinId, op.relationshipId, this.relationshipEvents.deleted(toRelationship(row)));
  }

  /** The twin and every relationship from or to it, in one transaction; how many relationships went. */
  async deleteTwinCascade(g: GraphTransaction, twinId: string, ifMatch: string | undefined): Promise<number> {
    checkGraphId('digital twin', twinId);
    const precondition = parseIfMatch(ifMatch);
    // The twin's lock first: a relationship insert's foreign-key check (FOR KEY SHARE) waits for
    // it, and finds the twin gone once this commits; those that got in before are listed below.
    const row = await g.twin(twinId);
    if (!row) throw TwinErrors.notFound(twinId);
    if (!matches(precondition, row.etag)) throw TwinErrors.etagMismatch(twinId);
    const relationships = await g.relationshipsOf(twinId);
    for (const r of relationships) await g.deleteRelationship(r.source_id, r.relationship_id, this.relationshipEvents.deleted(toRelationship(r)));
    await this.deleteTwin(g, { op: 'deleteTwin', twinId });
    return relationships.length;
  }

  private async relationshipWrite(write: () => Promise<void>, sourceId: string, targetId: string): Promise<void> {
    await write().catch((err: unknown) => {
      const violation = foreignKeyViolation(err);
      if (!violation) throw err;
      throw violation.constraint === 'relationships_target_fk' ? RelationshipErrors.targetNotFound(targetId) : RelationshipErrors.twinNotFound(sourceId);
    });
  }

  private async missingRelationship(g: GraphTransaction, sourceId: string, relationshipId: string) {
    return (await g.twinModel(sourceId)) ? RelationshipErrors.notFound(sourceId, relationshipId) : RelationshipErrors.twinNotFound(sourceId);
  }


}

function validateRelationship(problems: { path: string; message: string }[]): void {
  if (problems.length > 0) throw RelationshipErrors.invalid(problems.map((p) => ({ code: 'ValidationFailed', message: p.message, target: p.path })));
}

