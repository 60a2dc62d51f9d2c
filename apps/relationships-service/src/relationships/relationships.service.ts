import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingRelationship, ListPage, ListRelationshipsRequest, PatchOperation, Relationship } from '@odt/contracts';
import {
  applyPatchOperation, checkGraphId, decodeCursor, encodeCursor, formatEtag, matches, parseIfMatch, parseIfNoneMatch, parsePatchOperations,
  patchBetween, patchInvalid,
} from '@odt/graph-domain';
import { ModelCatalog, type ResolvedModel } from '@odt/model-catalog';
import { foreignKeyViolation } from '@odt/service-kit';
import { RELATIONSHIPS_CONFIG, type RelationshipsConfig } from '../config';
import { parseRelationshipBody, toRelationship, type RelationshipRow } from './relationship-document';
import { RelationshipEvents } from './relationship-events';
import { RelationshipErrors } from './relationships.errors';
import { RelationshipsRepository } from './relationships.repository';

@Injectable()
export class RelationshipsService {
  constructor(
    private readonly repo: RelationshipsRepository,
    private readonly catalog: ModelCatalog,
    private readonly events: RelationshipEvents,
    @Inject(RELATIONSHIPS_CONFIG) private readonly config: RelationshipsConfig,
  ) {}

  async get(sourceId: string, relationshipId: string): Promise<Relationship> {
    const row = await this.repo.get(sourceId, relationshipId);
    if (row) return toRelationship(row);
    if (!(await this.repo.twinExists(sourceId))) throw RelationshipErrors.twinNotFound(sourceId);
    throw RelationshipErrors.notFound(sourceId, relationshipId);
  }

  /** PUT: create, or replace an existing relationship; `If-None-Match: *` makes it create-only. */
  async upsert(sourceId: string, relationshipId: string, body: unknown, ifNoneMatch: string | undefined): Promise<Relationship> {
    checkGraphId('relationship', relationshipId);
    const createOnly = parseIfNoneMatch(ifNoneMatch);
    const input = parseRelationshipBody(body, sourceId, relationshipId);
    if (input.targetId === sourceId) throw RelationshipErrors.selfLoop(sourceId);
    const twins = await this.repo.twins([sourceId, input.targetId]);
    const source = twins.find((t) => t.id === sourceId);
    const target = twins.find((t) => t.id === input.targetId);
    if (!source) throw RelationshipErrors.twinNotFound(sourceId);
    if (!target) throw RelationshipErrors.targetNotFound(input.targetId);
    const model = await this.sourceModel(source.model_id);
    const declared = model.relationship(input.name);
    if (!declared) throw RelationshipErrors.undeclared(input.name, model.info.id);
    if (declared.definition.target) {
      const targetModel = await this.catalog.resolve(target.model_id);
      // A target of a subtype is accepted: a twin of a model extending the DTDL target *is* one.
      // A target whose model was deleted cannot be checked; ADT lets such twins gain incoming relationships.
      if (targetModel && !targetModel.isA(declared.definition.target)) throw RelationshipErrors.wrongTarget(input.name, declared.definition.target, target.model_id);
    }
    this.validate(declared.validate(input.properties));

    const row: RelationshipRow = {
      source_id: sourceId, relationship_id: relationshipId, name: input.name, target_id: input.targetId, etag: randomUUID(), properties: input.properties,
    };
    const max = declared.definition.maxMultiplicity;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.repo.transaction(async (tx) => {
        if (this.config.ENFORCE_MAX_MULTIPLICITY && max !== undefined) {
          await this.repo.lockSourceForCounting(tx, sourceId);
          if ((await this.repo.countByName(tx, sourceId, input.name, relationshipId)) >= max) throw RelationshipErrors.tooMany(input.name, max);
        }
        const existing = await this.repo.lock(tx, sourceId, relationshipId);
        if (existing && createOnly) throw RelationshipErrors.alreadyExists(sourceId, relationshipId);
        if (!existing) {
          if (!(await this.repo.insert(tx, row))) return 'raced' as const;
          await this.events.created(tx, toRelationship(row));
          return 'done' as const;
        }
        await this.repo.update(tx, row);
        await this.events.updated(tx, sourceId, relationshipId, model.info.id, replacementPatch(existing, row), formatEtag(row.etag));
        return 'done' as const;
      }).catch((err: unknown) => {
        throw this.integrityError(err, sourceId, input.targetId);
      });
      if (outcome === 'done') return toRelationship(row);
      if (createOnly) throw RelationshipErrors.alreadyExists(sourceId, relationshipId);
      if (attempt >= 3) throw RelationshipErrors.tooContended(relationshipId);
    }
  }

  /** PATCH: JSON Patch on the relationship's properties, validated against its DTDL definition. */
  async patch(sourceId: string, relationshipId: string, patch: unknown, ifMatch: string | undefined): Promise<{ etag: string }> {
    const precondition = parseIfMatch(ifMatch);
    const ops = parsePatchOperations(patch);
    for (const op of ops) if (op.path.startsWith('/$')) throw patchInvalid(`${op.path.split('/')[1]} cannot be changed by a patch.`);
    return this.repo.transaction(async (tx) => {
      const row = await this.repo.lock(tx, sourceId, relationshipId);
      if (!row) throw await this.missing(sourceId, relationshipId);
      if (!matches(precondition, row.etag)) throw RelationshipErrors.etagMismatch(relationshipId);
      // Nothing to change: no write, no new ETag, no event (as for twins).
      if (ops.length === 0) return { etag: formatEtag(row.etag) };
      const [source] = await this.repo.twins([sourceId]);
      const model = await this.sourceModel(source.model_id);
      const declared = model.relationship(row.name);
      if (!declared) throw RelationshipErrors.undeclared(row.name, model.info.id);
      const properties = applyPropertyPatch(row.properties, ops);
      this.validate(declared.validate(properties));
      const next: RelationshipRow = { ...row, properties, etag: randomUUID() };
      await this.repo.update(tx, next);
      await this.events.updated(tx, sourceId, relationshipId, model.info.id, ops, formatEtag(next.etag));
      return { etag: formatEtag(next.etag) };
    });
  }

  async delete(sourceId: string, relationshipId: string, ifMatch: string | undefined): Promise<void> {
    const precondition = parseIfMatch(ifMatch);
    await this.repo.transaction(async (tx) => {
      const row = await this.repo.lock(tx, sourceId, relationshipId);
      if (!row) throw await this.missing(sourceId, relationshipId);
      if (!matches(precondition, row.etag)) throw RelationshipErrors.etagMismatch(relationshipId);
      await this.repo.delete(tx, sourceId, relationshipId);
      await this.events.deleted(tx, toRelationship(row));
    });
  }

  async listOutgoing(req: ListRelationshipsRequest): Promise<ListPage<Relationship>> {
    const limit = this.pageSize(req.maxItemsPerPage);
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, (v): v is string => typeof v === 'string');
    const rows = await this.repo.outgoing(req.twinId, req.relationshipName, after, limit + 1);
    if (rows.length === 0 && !(await this.repo.twinExists(req.twinId))) throw RelationshipErrors.twinNotFound(req.twinId);
    const page = rows.slice(0, limit);
    return {
      value: page.map(toRelationship),
      ...(rows.length > limit ? { nextCursor: encodeCursor(page[page.length - 1].relationship_id) } : {}),
    };
  }

  async listIncoming(req: ListRelationshipsRequest): Promise<ListPage<IncomingRelationship>> {
    const limit = this.pageSize(req.maxItemsPerPage);
    const isPair = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
    const after = req.cursor === undefined ? undefined : decodeCursor(req.cursor, isPair);
    const rows = await this.repo.incoming(req.twinId, after, limit + 1);
    if (rows.length === 0 && !(await this.repo.twinExists(req.twinId))) throw RelationshipErrors.twinNotFound(req.twinId);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      value: page.map((r) => ({
        $relationshipId: r.relationship_id,
        $sourceId: r.source_id,
        $relationshipName: r.name,
        $relationshipLink: `/digitaltwins/${r.source_id}/relationships/${r.relationship_id}`,
      })),
      ...(rows.length > limit ? { nextCursor: encodeCursor([last.source_id, last.relationship_id]) } : {}),
    };
  }

  private pageSize(requested: number): number {
    return Math.min(Math.max(1, requested), this.config.RELATIONSHIPS_MAX_PAGE_SIZE);
  }

  private async sourceModel(modelId: string): Promise<ResolvedModel> {
    const model = await this.catalog.resolve(modelId);
    if (!model) throw RelationshipErrors.sourceModelMissing(modelId);
    return model;
  }

  private async missing(sourceId: string, relationshipId: string) {
    return (await this.repo.twinExists(sourceId)) ? RelationshipErrors.notFound(sourceId, relationshipId) : RelationshipErrors.twinNotFound(sourceId);
  }

  private validate(problems: { path: string; message: string }[]): void {
    if (problems.length > 0) throw RelationshipErrors.invalid(problems.map((p) => ({ code: 'ValidationFailed', message: p.message, target: p.path })));
  }

  /** A twin deleted between our check and our insert: the foreign key caught it. */
  private integrityError(err: unknown, sourceId: string, targetId: string): unknown {
    const violation = foreignKeyViolation(err);
    if (!violation) return err;
    return violation.constraint === 'relationships_target_fk' ? RelationshipErrors.targetNotFound(targetId) : RelationshipErrors.twinNotFound(sourceId);
  }
}

function applyPropertyPatch(properties: Record<string, unknown>, ops: PatchOperation[]): Record<string, unknown> {
  let current = structuredClone(properties);
  for (const op of ops) current = applyPatchOperation(current, op);
  return current;
}

/** The effective change of a replacing PUT, for the `Relationship.Update` event. */
function replacementPatch(before: RelationshipRow, after: RelationshipRow): PatchOperation[] {
  const patch = patchBetween(before.properties, after.properties);
  // A replacement may also retarget or rename the relationship: consumers must see that too.
  if (before.target_id !== after.target_id) patch.push({ op: 'replace', path: '/$targetId', value: after.target_id });
  if (before.name !== after.name) patch.push({ op: 'replace', path: '/$relationshipName', value: after.name });
  return patch;
}
