import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { DigitalTwinsEvent, EventType } from '@odt/contracts';
import { currentCall } from '@odt/service-kit';

export interface NewEvent<T> {
  type: EventType;
  subject?: string;
  data: T;
  source: string;
  id?: string;
  dataschema?: string;
  traceparent?: string;
  time?: Date;
  /** CloudEvents extension attributes (lowercase alphanumeric names). */
  extensions?: Record<string, string>;
}

/**
 * Builds (and validates, through the CloudEvents SDK) one event in structured JSON form. Built while
 * serving a request, it records that request's caller (CloudEvents `authcontext` extension:
 * `authtype`, `authid`) and trace (`traceparent`).
 */
export function buildEvent<T>(e: NewEvent<T>): DigitalTwinsEvent<T> {
  const call = currentCall();
  const traceparent = e.traceparent ?? call?.traceparent;
  const event = new CloudEvent<T>({
    specversion: '1.0',
    id: e.id ?? randomUUID(),
    source: e.source,
    type: e.type,
    ...(e.subject !== undefined ? { subject: e.subject } : {}),
    time: (e.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    ...(e.dataschema ? { dataschema: e.dataschema } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(call?.caller ? { authtype: call.caller.type, authid: call.caller.id } : {}),
    ...e.extensions,
    data: e.data,
  }, false);
  // The SDK keeps unset optional attributes as `undefined` keys; events carry only what is set.
  const json = Object.entries(event.toJSON()).filter(([, value]) => value !== undefined);
  return Object.fromEntries(json) as unknown as DigitalTwinsEvent<T>;
}
