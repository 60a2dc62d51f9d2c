import { Inject, Injectable } from '@nestjs/common';
import { EventTypes, eventSubject, type DigitalTwin, type EventType, type PatchOperation, type UpdateEventData } from '@odt/contracts';
import { appendToOutbox, buildEvent } from '@odt/messaging';
import type { EntityManager } from 'typeorm';
import { TWINS_CONFIG, type TwinsConfig } from '../config';
import { TWINS_SCHEMA } from '../database/data-source';

/** Writes each twin change's CloudEvent to the outbox, inside the change's own transaction. */
@Injectable()
export class TwinEvents {
  constructor(@Inject(TWINS_CONFIG) private readonly config: TwinsConfig) {}

  created(tx: EntityManager, twin: DigitalTwin): Promise<void> {
    return this.append(tx, EventTypes.TwinCreate, twin.$dtId, twin);
  }

  updated(tx: EntityManager, id: string, modelId: string, patch: PatchOperation[]): Promise<void> {
    const data: UpdateEventData = { modelId, patch };
    return this.append(tx, EventTypes.TwinUpdate, id, data);
  }

  deleted(tx: EntityManager, twin: DigitalTwin): Promise<void> {
    return this.append(tx, EventTypes.TwinDelete, twin.$dtId, twin);
  }

  private append(tx: EntityManager, type: EventType, subject: string, data: unknown): Promise<void> {
    const event = buildEvent({ type, subject, data, source: this.config.EVENTS_SOURCE });
    return appendToOutbox(tx, TWINS_SCHEMA, eventSubject(this.config.EVENTS_SUBJECT_PREFIX, type), event);
  }
}
