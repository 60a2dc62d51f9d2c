import { Inject, Injectable } from '@nestjs/common';
import { ETAG_EXTENSION, EventTypes, eventSubject, type EventType, type PatchOperation, type Relationship, type UpdateEventData } from '@odt/contracts';
import { buildEvent } from '@odt/messaging';
import { appendToOutbox } from '@odt/outbox';
import type { EntityManager } from 'typeorm';
import { RELATIONSHIPS_CONFIG, type RelationshipsConfig } from '../config';
import { RELATIONSHIPS_SCHEMA } from '../database/data-source';

/** ADT's subject of relationship events. */
const subjectOf = (sourceId: string, relationshipId: string) => `${sourceId}/relationships/${relationshipId}`;

/** Writes each relationship change's CloudEvent to the outbox, inside the change's transaction. */
@Injectable()
export class RelationshipEvents {
  constructor(@Inject(RELATIONSHIPS_CONFIG) private readonly config: RelationshipsConfig) {}

  created(tx: EntityManager, r: Relationship): Promise<void> {
    return this.append(tx, EventTypes.RelationshipCreate, subjectOf(r.$sourceId, r.$relationshipId), r);
  }

  /** `etag`: the relationship's ETag after the change (a CloudEvents extension attribute, ours). */
  updated(tx: EntityManager, sourceId: string, relationshipId: string, modelId: string, patch: PatchOperation[], etag: string): Promise<void> {
    const data: UpdateEventData = { modelId, patch };
    return this.append(tx, EventTypes.RelationshipUpdate, subjectOf(sourceId, relationshipId), data, { [ETAG_EXTENSION]: etag });
  }

  deleted(tx: EntityManager, r: Relationship): Promise<void> {
    return this.append(tx, EventTypes.RelationshipDelete, subjectOf(r.$sourceId, r.$relationshipId), r);
  }

  private append(tx: EntityManager, type: EventType, subject: string, data: unknown, extensions?: Record<string, string>): Promise<void> {
    const event = buildEvent({ type, subject, data, source: this.config.EVENTS_SOURCE, extensions });
    return appendToOutbox(tx, RELATIONSHIPS_SCHEMA, eventSubject(this.config.EVENTS_SUBJECT_PREFIX, type), event);
  }
}
