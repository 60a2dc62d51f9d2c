import { consumerName, planConsumer, type ConsumerState } from './endpoint-consumer-plan';

const limits = { maxPending: 10_000, ackWaitNs: 30_000_000_000 };
const consumer = (inFlight: number, floor: number, config = { max_ack_pending: limits.maxPending, ack_wait: limits.ackWaitNs }): ConsumerState => ({
  num_ack_pending: inFlight,
  ack_floor: { stream_seq: floor },
  config,
});

describe('planConsumer: where a new owner of an endpoint starts', () => {
  it('creates a missing consumer for the events from now on, not the stream\'s history', () => {
    expect(planConsumer(undefined, limits)).toEqual({ kind: 'create' });
  });

  it('keeps a consumer with nothing in flight and the same settings', () => {
    expect(planConsumer(consumer(0, 41), limits)).toEqual({ kind: 'keep' });
  });

  it('starts right after the acknowledgement floor when the previous owner left events in flight', () => {
    expect(planConsumer(consumer(3, 41), limits)).toEqual({ kind: 'resume', from: 42, replace: true });
  });

  it('starts again at the floor when the limits changed', () => {
    expect(planConsumer(consumer(0, 41, { max_ack_pending: 500, ack_wait: limits.ackWaitNs }), limits)).toEqual({ kind: 'resume', from: 42, replace: true });
    expect(planConsumer(consumer(0, 41, { max_ack_pending: limits.maxPending, ack_wait: 5_000_000_000 }), limits)).toEqual({ kind: 'resume', from: 42, replace: true });
  });

  it('finishes a recreation cut off between the delete and the add at the floor it had read', () => {
    expect(planConsumer(undefined, limits, 42)).toEqual({ kind: 'resume', from: 42, replace: false });
  });

  it('starts at the stream\'s first event when nothing was acknowledged yet', () => {
    expect(planConsumer(consumer(2, 0), limits)).toEqual({ kind: 'resume', from: 1, replace: true });
  });

  it('names the consumer after the endpoint', () => {
    expect(consumerName('alerts_1')).toBe('endpoint-alerts_1');
  });
});
