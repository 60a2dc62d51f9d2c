import { AckPolicy, DeliverPolicy, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { consumerName, planConsumer, type ConsumerLimits } from './endpoint-consumer-plan';

/**
 * The endpoints' durable consumers of the events stream (`endpoint-<name>`): made ready for a new
 * owner of an endpoint (see `planConsumer`), and asked how many events wait in them.
 */
export class EndpointConsumers {
  /**
   * Consumers being recreated at a floor (endpoint → first sequence): kept until the new consumer
   * exists, so that a failure between the delete and the add does not restart the endpoint at the
   * stream's end, skipping events.
   */
  private readonly resuming = new Map<string, number>();

  constructor(
    private readonly jsm: JetStreamManager,
    readonly stream: string,
    private readonly logger: Logger,
  ) {}

  /** Creates or recreates the endpoint's consumer as its new owner needs it; returns the consumer's name. */
  async prepare(endpoint: string, limits: ConsumerLimits): Promise<string> {
    const durable = consumerName(endpoint);
    const existing = await this.jsm.consumers.info(this.stream, durable).catch(() => undefined);
    const plan = planConsumer(existing, limits, this.resuming.get(endpoint));
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: limits.maxPending,
      ack_wait: limits.ackWaitNs,
      max_deliver: -1,
    };
    if (plan.kind === 'create') {
      await this.jsm.consumers.add(this.stream, { ...config, deliver_policy: DeliverPolicy.New });
    } else if (plan.kind === 'resume') {
      if (plan.replace) {
        this.logger.info({ endpoint, from: plan.from, inFlight: existing?.num_ack_pending }, 'resuming endpoint delivery from its acknowledgement floor');
        this.resuming.set(endpoint, plan.from);
        await this.jsm.consumers.delete(this.stream, durable);
      }
      await this.jsm.consumers.add(this.stream, { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: plan.from });
      this.resuming.delete(endpoint);
    }
    return durable;
  }

  /**
   * The events waiting in the endpoint's consumer: not yet received by its owner (`num_pending`)
   * plus received and not yet acknowledged (`num_ack_pending`). Undefined when it cannot be read.
   */
  async backlog(endpoint: string): Promise<number | undefined> {
    const info = await this.jsm.consumers.info(this.stream, consumerName(endpoint)).catch(() => undefined);
    return info ? info.num_pending + info.num_ack_pending : undefined;
  }
}
