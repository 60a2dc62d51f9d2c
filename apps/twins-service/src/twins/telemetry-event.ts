import { EventTypes, type DigitalTwinsEvent } from '@odt/contracts';
import { buildEvent } from '@odt/messaging';

export interface TelemetryInput {
  twinId: string;
  component?: string;
  messageId: string;
  sourceTime?: string;
  /** Model id of the twin, or of the component's interface. */
  dataschema?: string;
  payload: unknown;
  /** `EVENTS_SOURCE`: the instance's host name. */
  eventsSource: string;
}

/**
 * A `microsoft.iot.telemetry` CloudEvent. Twin-level telemetry has no `subject` (ADT sends an empty
 * one, but CloudEvents forbids `""`); the caller's `Telemetry-Source-Time` travels as the extension
 * attribute `telemetrysourcetime`.
 */
export function telemetryEvent(t: TelemetryInput): DigitalTwinsEvent {
  return buildEvent({
    type: EventTypes.Telemetry,
    id: t.messageId,
    // ADT: the source of telemetry is the twin, `<instance>/digitaltwins/<twinId>`.
    source: `${t.eventsSource}/digitaltwins/${t.twinId}`,
    subject: t.component,
    dataschema: t.dataschema,
    data: t.payload,
    extensions: t.sourceTime !== undefined ? { telemetrysourcetime: t.sourceTime } : undefined,
  });
}
