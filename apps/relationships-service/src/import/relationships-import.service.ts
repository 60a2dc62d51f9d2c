import { Inject, Injectable } from '@nestjs/common';
import { EventTypes, eventSubject, type ImportBatchReply, type ImportBatchRequest, type ImportLineError } from '@odt/contracts';
import { checkGraphId, importLineError } from '@odt/graph-domain';
import { buildEvent } from '@odt/messaging';
import { ModelCatalog } from '@odt/model-catalog';
import { oncePerImportBatch } from '@odt/outbox';
import { foreignKeyViolation } from '@odt/service-kit';
import { RELATIONSHIPS_CONFIG, type RelationshipsConfig } from '../config';
import { RELATIONSHIPS_SCHEMA } from '../database/data-source';
import { parseRelationshipBody } from '../relationships/relationship-document';
import { RelationshipErrors } from '../relationships/relationships.errors';
import { relationshipKey, RelationshipsImportRepository, type NewRelationshipRow } from './relationships-import.repository';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Candidate extends NewRelationshipRow {
  line: number;
  maxMultiplicity?: number;
}

/**
 * The Relationships section of an import job, a batch at a time: each line (`$dtId` = the source)
 * validated exactly as `PUT /digitaltwins/{id}/relationships/{relId}` with `If-None-Match: *`
 * validates it, the valid ones written in one statement with their `Relationship.Create` events.
 */
@Injectable()
export class RelationshipsImportService {
  constructor(
    private readonly repo: RelationshipsImportRepository,
    private readonly catalog: ModelCatalog,
    @Inject(RELATIONSHIPS_CONFIG) private readonly config: RelationshipsConfig,
  ) {}

  async importBatch(req: ImportBatchRequest): Promise<ImportBatchReply> {
    const errors: ImportLineError[] = [];
    const candidates: Candidate[] = [];
    const seen = new Set<string>();
    const twinIds = new Set<string>();
    for (const { value } of req.items) {
      if (!isObject(value)) continue;
      if (typeof value.$dtId === 'string') twinIds.add(value.$dtId);
      if (typeof value.$targetId === 'string') twinIds.add(value.$targetId);
    }
    const twins = await this.repo.twins([...twinIds]);
    // One event as buildEvent gives it; the repository completes it per relationship in SQL.
    const eventTemplate = JSON.stringify(buildEvent({ type: EventTypes.RelationshipCreate, subject: '-', data: null, source: this.config.EVENTS_SOURCE }));
    for (const { line, value } of req.items) {
      try {
        if (!isObject(value)) throw RelationshipErrors.badBody('The relationship must be a JSON object.');
        const { $dtId: sourceId, ...body } = value;
        if (typeof sourceId !== 'string' || sourceId.length === 0) throw RelationshipErrors.badBody('Relationship must have property $dtId representing the ID of the source twin.');
        const relationshipId = body.$relationshipId;
        checkGraphId('relationship', relationshipId);
        const input = parseRelationshipBody(body, sourceId, relationshipId);
        if (input.targetId === sourceId) throw RelationshipErrors.selfLoop(sourceId);
        const sourceModelId = twins.get(sourceId);
        const targetModelId = twins.get(input.targetId);
        if (sourceModelId === undefined) throw RelationshipErrors.twinNotFound(sourceId);
        if (targetModelId === undefined) throw RelationshipErrors.targetNotFound(input.targetId);
        const model = await this.catalog.resolve(sourceModelId);
        if (!model) throw RelationshipErrors.sourceModelMissing(sourceModelId);
        const declared = model.relationship(input.name);
        if (!declared) throw RelationshipErrors.undeclared(input.name, model.info.id);
        if (declared.definition.target) {
          const targetModel = await this.catalog.resolve(targetModelId);
          if (targetModel && !targetModel.isA(declared.definition.target)) throw RelationshipErrors.wrongTarget(input.name, declared.definition.target, targetModelId);
        }
        const problems = declared.validate(input.properties);
        if (problems.length > 0) throw RelationshipErrors.invalid(problems.map((p) => ({ code: 'ValidationFailed', message: p.message, target: p.path })));
        const key = relationshipKey(sourceId, relationshipId);
        if (seen.has(key)) throw RelationshipErrors.alreadyExists(sourceId, relationshipId);
        seen.add(key);
        candidates.push({
          line, sourceId, relationshipId, name: input.name, targetId: input.targetId, properties: JSON.stringify(input.properties),
          ...(this.config.ENFORCE_MAX_MULTIPLICITY && declared.definition.maxMultiplicity !== undefined ? { maxMultiplicity: declared.definition.maxMultiplicity } : {}),
        });
      } catch (err) {
        errors.push(importLineError(line, err));
      }
    }
    const subject = eventSubject(this.config.EVENTS_SUBJECT_PREFIX, EventTypes.RelationshipCreate);
    return this.repo.transaction((tx) => oncePerImportBatch(tx, RELATIONSHIPS_SCHEMA, req.jobId, req.batch, async () => {
      const rows = await this.withinMultiplicity(tx, candidates, errors);
      const inserted = await this.repo.insertNew(tx, rows, subject, eventTemplate).catch((err: unknown) => {
        // A source or target deleted since it was read: the foreign keys caught it.
        if (foreignKeyViolation(err)) throw RelationshipErrors.twinNotFound('(a twin of this batch, deleted meanwhile)');
        throw err;
      });
      for (const row of rows) {
        if (!inserted.has(relationshipKey(row.sourceId, row.relationshipId))) errors.push(importLineError(row.line, RelationshipErrors.alreadyExists(row.sourceId, row.relationshipId)));
      }
      errors.sort((a, b) => a.line - b.line);
      return { created: inserted.size, errors };
    }));
  }

  /** With ENFORCE_MAX_MULTIPLICITY: the candidates that keep their source within the declared maximum. */
  private async withinMultiplicity(tx: Parameters<RelationshipsImportRepository['countByName']>[0], candidates: Candidate[], errors: ImportLineError[]): Promise<Candidate[]> {
    const limited = candidates.filter((c) => c.maxMultiplicity !== undefined);
    if (limited.length === 0) return candidates;
    const counts = await this.repo.countByName(tx, limited.map((c) => ({ sourceId: c.sourceId, name: c.name })));
    return candidates.filter((c) => {
      if (c.maxMultiplicity === undefined) return true;
      const key = `${c.sourceId}\u0000${c.name}`;
      const n = counts.get(key) ?? 0;
      if (n >= c.maxMultiplicity) {
        errors.push(importLineError(c.line, RelationshipErrors.tooMany(c.name, c.maxMultiplicity)));
        return false;
      }
      counts.set(key, n + 1);
      return true;
    });
  }
}
