/** ADT's `EventRoute`. */
export interface EventRoute {
  id: string;
  endpointName: string;
  filter: string;
}

export type EndpointType = 'nats' | 'webhook' | 'mqtt' | 'amqp';

/**
 * An endpoint as the API shows it. ADT keeps endpoints in its control plane; ours are in the data
 * plane. Secrets are write-only: a read tells only that one is set.
 */
export interface Endpoint {
  name: string;
  endpointType: EndpointType;
  url?: string;
  subject?: string;
  topic?: string;
  exchange?: string;
  routingKey?: string;
  headers?: Record<string, string>;
  mode?: 'structured' | 'binary';
  hasSecret?: boolean;
  deadLetter?: { enabled: boolean };
  retry?: { maxAttempts?: number; ttlSeconds?: number };
}

export interface PutEventRouteRequest {
  id: string;
  route: unknown;
}

export interface PutEndpointRequest {
  name: string;
  endpoint: unknown;
}

export interface NamedRequest {
  id: string;
}

export interface PageRequest {
  maxItemsPerPage: number;
  cursor?: string;
}

/** An event an endpoint never took (after its attempts or time-to-live), kept for replay. */
export interface DeadLetterView {
  endpoint: string;
  reason: string;
  attempts: number;
  deadLetteredAt: string;
  event: unknown;
}

export interface DeadLettersRequest {
  endpoint: string;
  maxItemsPerPage: number;
}

export interface ReplayReply {
  replayed: number;
  remaining: number;
}
