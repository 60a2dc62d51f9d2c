import { Inject, Injectable } from '@nestjs/common';
import { EventTypes, eventSubject, type ImportBatchReply, type ImportBatchRequest, type ImportLineError } from '@odt/contracts';
import { checkGraphId, importLineError } from '@odt/graph-domain';
import { buildEvent } from '@odt/messaging';
import { ModelCatalog } from '@odt/model-catalog';
import { oncePerImportBatch } from '@odt/outbox';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { TWINS_SCHEMA } from '../database/data-source';
import { adtTimestamp } from '../twins/timestamps';
import { buildTwinDocument, modelOf } from '../twins/twin-document';
import { checkTwinLimits } from '../twins/twin-limits';
import { TwinErrors } from '../twins/twins.errors';
import { requireModel, validateTwin } from '../twins/twin-validation';

import { TwinsImportRepository, type NewTwinRow } from './twins-import.repository';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Twins section of an import job, a batch at a time: each line validated exactly as
 * `PUT /digitaltwins/{id}` with `If-None-Match: *` validates it, the valid ones written in one
 * statement with their `Twin.Create` events, an id already taken reported on its line.
 */
@Injectable()
export class TwinsImportService {
  constructor(
    private readonly repo: TwinsImportRepository,
    private readonly catalog: ModelCatalog,
    @Inject(TWINS_CONFIG) private readonly config: TwinsConfig,
  ) {}

  async importBatch(req: ImportBatchRequest): Promise<ImportBatchReply> {
    const errors: ImportLineError[] = [];
    const rows: (NewTwinRow & { line: number })[] = [];
    const ancestry: Record<string, string[]> = {};
    const seen = new Set<string>();
    const now = adtTimestamp();
    // One event as buildEvent gives it; the repository completes it per twin in SQL (id, subject,
    // time, data), from the row it inserts.
    const eventTemplate = JSON.stringify(buildEvent({ type: EventTypes.TwinCreate, subject: '-', data: null, source: this.config.EVENTS_SOURCE }));
    for (const { line, value } of req.items) {
      try {
        if (!isObject(value)) throw TwinErrors.invalid([{ code: 'ValidationFailed', message: 'The twin must be a JSON object.' }]);
        const id = value.$dtId;
        checkGraphId('digital twin', id);
        const modelId = modelOf(value);
        const model = await requireModel(this.catalog, modelId);
        if (model.info.decommissioned) throw TwinErrors.decommissioned(modelId);
        const doc = buildTwinDocument(value, model.info.flattened, now);
        validateTwin(model, doc);
        const document = JSON.stringify(doc);
        checkTwinLimits(doc, this.config.TWIN_MAX_BYTES, document);
        if (seen.has(id)) throw TwinErrors.alreadyExists(id);
        seen.add(id);
        ancestry[modelId] ??= [modelId, ...model.info.flattened.bases];
        rows.push({ line, id, modelId, document });
      } catch (err) {
        errors.push(importLineError(line, err));
      }
    }
    const subject = eventSubject(this.config.EVENTS_SUBJECT_PREFIX, EventTypes.TwinCreate);
    return this.repo.transaction((tx) => oncePerImportBatch(tx, TWINS_SCHEMA, req.jobId, req.batch, async () => {
      const inserted = await this.repo.insertNew(tx, rows, ancestry, subject, eventTemplate);
      for (const row of rows) if (!inserted.has(row.id)) errors.push(importLineError(row.line, TwinErrors.alreadyExists(row.id)));
      errors.sort((a, b) => a.line - b.line);
      return { created: inserted.size, errors };
    }));
  }
}
