import type { ConsumerInfo } from '@nats-io/jetstream';

/** JetStream consumer names allow `A-Z a-z 0-9 - _`, as endpoint names do. */
export const consumerName = (endpoint: string): string => `endpoint-${endpoint}`;

/** The settings an endpoint's consumer must have. */
export interface ConsumerLimits {
  /** Events received and not yet acknowledged (`max_ack_pending`). */
  maxPending: number;
  /** The server redelivers an event unacknowledged this long (`ack_wait`, nanoseconds). */
  ackWaitNs: number;
}

/** What a consumer looks like to the plan (a `ConsumerInfo` is one). */
export type ConsumerState = Pick<ConsumerInfo, 'num_ack_pending'> & {
  ack_floor: Pick<ConsumerInfo['ack_floor'], 'stream_seq'>;
  config: Pick<ConsumerInfo['config'], 'max_ack_pending' | 'ack_wait'>;
};

export type ConsumerPlan =
  /** None yet: an endpoint receives what happens after it is first routed to, not the stream's history. */
  | { kind: 'create' }
  /** Start at stream sequence `from`, in stream order; `replace`: the existing consumer is deleted first. */
  | { kind: 'resume'; from: number; replace: boolean }
  /** Use it as it is. */
  | { kind: 'keep' };

/**
 * How a new owner of an endpoint gets its consumer. When events were in flight with the previous
 * owner (or the settings changed), it starts again right after the last event of the unbroken
 * acknowledged prefix: the acknowledgement floor. `interrupted` is the floor of a recreation that
 * was cut off between the delete and the add: it is finished from there, not from the stream's end.
 */
export function planConsumer(existing: ConsumerState | undefined, limits: ConsumerLimits, interrupted?: number): ConsumerPlan {
  if (!existing) return interrupted === undefined ? { kind: 'create' } : { kind: 'resume', from: interrupted, replace: false };
  const changed = existing.config.max_ack_pending !== limits.maxPending || existing.config.ack_wait !== limits.ackWaitNs;
  if (existing.num_ack_pending > 0 || changed) return { kind: 'resume', from: existing.ack_floor.stream_seq + 1, replace: true };
  return { kind: 'keep' };
}
