import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { DigitalTwinsEvent, EventType } from '@odt/contracts';

export interface NewEvent<T> {
  type: EventType;
  subject: string;
  data: T;
  source: string;
  id?: string;
  dataschema?: string;
  traceparent?: string;
  time?: Date;
}

/** Builds (and validates, through the CloudEvents SDK) one event in structured JSON form. */
export function buildEvent<T>(e: NewEvent<T>): DigitalTwinsEvent<T> {
  const event = new CloudEvent<T>({
    specversion: '1.0',
    id: e.id ?? randomUUID(),
    source: e.source,
    type: e.type,
    subject: e.subject,
    time: (e.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    ...(e.dataschema ? { dataschema: e.dataschema } : {}),
    ...(e.traceparent ? { traceparent: e.traceparent } : {}),
    data: e.data,
  }, false);
  return event.toJSON() as unknown as DigitalTwinsEvent<T>;
}
