import { Inject, Injectable } from '@nestjs/common';
import { ETAG_EXTENSION, EventTypes, eventSubject, type DigitalTwin, type EventType, type PatchOperation, type UpdateEventData } from '@odt/contracts';
import { buildEvent } from '@odt/messaging';
import type { OutboxEntry } from '@odt/outbox';
import { TWINS_CONFIG, type TwinsConfig } from '../config';

/** The CloudEvent of each twin change, ready to be written with the change itself. */
@Injectable()
export class TwinEvents {
  constructor(@Inject(TWINS_CONFIG) private readonly config: TwinsConfig) {}

  created(twin: DigitalTwin): OutboxEntry {
    return this.entry(EventTypes.TwinCreate, twin.$dtId, twin);
  }

  /** `etag`: the twin's ETag after the change (a CloudEvents extension attribute, ours). */
  updated(id: string, modelId: string, patch: PatchOperation[], etag: string): OutboxEntry {
    const data: UpdateEventData = { modelId, patch };
    return this.entry(EventTypes.TwinUpdate, id, data, { [ETAG_EXTENSION]: etag });
  }

  deleted(twin: DigitalTwin): OutboxEntry {
    return this.entry(EventTypes.TwinDelete, twin.$dtId, twin);
  }

  private entry(type: EventType, subject: string, data: unknown, extensions?: Record<string, string>): OutboxEntry {
    return {
      subject: eventSubject(this.config.EVENTS_SUBJECT_PREFIX, type),
      event: buildEvent({ type, subject, data, source: this.config.EVENTS_SOURCE, extensions }),
    };
  }
}
