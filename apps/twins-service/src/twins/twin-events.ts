import { Inject, Injectable } from '@nestjs/common';
import { EventTypes, eventSubject, type DigitalTwin, type EventType, type PatchOperation, type UpdateEventData } from '@odt/contracts';
import { buildEvent, type OutboxEntry } from '@odt/messaging';
import { TWINS_CONFIG, type TwinsConfig } from '../config';

/** The CloudEvent of each twin change, ready to be written with the change itself. */
@Injectable()
export class TwinEvents {
  constructor(@Inject(TWINS_CONFIG) private readonly config: TwinsConfig) {}

  created(twin: DigitalTwin): OutboxEntry {
    return this.entry(EventTypes.TwinCreate, twin.$dtId, twin);
  }

  updated(id: string, modelId: string, patch: PatchOperation[]): OutboxEntry {
    const data: UpdateEventData = { modelId, patch };
    return this.entry(EventTypes.TwinUpdate, id, data);
  }

  deleted(twin: DigitalTwin): OutboxEntry {
    return this.entry(EventTypes.TwinDelete, twin.$dtId, twin);
  }

  private entry(type: EventType, subject: string, data: unknown): OutboxEntry {
    return {
      subject: eventSubject(this.config.EVENTS_SUBJECT_PREFIX, type),
      event: buildEvent({ type, subject, data, source: this.config.EVENTS_SOURCE }),
    };
  }
}
