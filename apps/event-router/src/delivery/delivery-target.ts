import type { Endpoint } from '@odt/contracts';

/** An endpoint as delivery needs it: with its secret, which the API never shows. */
export interface DeliveryTarget {
  endpoint: Endpoint;
  secret?: string;
}
