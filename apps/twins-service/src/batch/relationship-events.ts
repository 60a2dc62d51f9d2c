import { Inject, Injectable } from '@nestjs/common';
import { ETAG_EXTENSION, EventTypes, eventSubject, type EventType, type PatchOperation, type Relationship, type UpdateEventData } from '@odt/contracts';
import { buildEvent } from '@odt/messaging';
import type { OutboxEntry } from '@odt/outbox';
import { TWINS_CONFIG, type TwinsConfig } from '../config';

const subjectOf = (sourceId: string, relationshipId: string) => `${sourceId}/relationships/${relationshipId}`;

/** The relationship events of a graph batch: the same CloudEvents the relationships service writes. */
@Injectable()
export class BatchRelationshipEvents {
  constructor(@Inject(TWINS_CONFIG) private readonly config: TwinsConfig) {}

  created(r: Relationship): OutboxEntry {
    return this.entry(EventTypes.RelationshipCreate, subjectOf(r.$sourceId, r.$relationshipId), r);
  }

  updated(sourceId: string, relationshipId: string, modelId: string, patch: PatchOperation[], etag: string): OutboxEntry {
    const data: UpdateEventData = { modelId, patch };
    return this.entry(EventTypes.RelationshipUpdate, subjectOf(sourceId, relationshipId), data, { [ETAG_EXTENSION]: etag });
  }

  deleted(r: Relationship): OutboxEntry {
    return this.entry(EventTypes.RelationshipDelete, subjectOf(r.$sourceId, r.$relationshipId), r);
  }

  private entry(type: EventType, subject: string, data: unknown, extensions?: Record<string, string>): OutboxEntry {
    return {
      subject: eventSubject(this.config.EVENTS_SUBJECT_PREFIX, type),
      event: buildEvent({ type, subject, data, source: this.config.EVENTS_SOURCE, extensions }),
    };
  }
}
