import type { DigitalTwinsEvent, Endpoint } from '@odt/contracts';

/** An endpoint as delivery needs it: with its secret, which the API never shows. */
export interface DeliveryTarget {
  endpoint: Endpoint;
  secret?: string;
}

/** Sends one event to one endpoint; throws when the endpoint did not take it. */
export type Deliver = (target: DeliveryTarget, event: DigitalTwinsEvent, raw: Uint8Array) => Promise<void>;
