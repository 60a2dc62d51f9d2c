import type { NatsConnection } from '@nats-io/transport-node';
import type { EndpointType } from '@odt/contracts';
import { AmqpDelivery } from './amqp-delivery';
import type { Deliver } from './delivery-target';
import { MqttDelivery } from './mqtt-delivery';
import { NatsDelivery } from './nats-delivery';
import { WebhookDelivery } from './webhook-delivery';

/** The way to deliver to each kind of endpoint, with the connections each keeps open. */
export class Deliverers {
  private readonly mqtt = new MqttDelivery();
  private readonly amqp = new AmqpDelivery();
  private readonly webhook = new WebhookDelivery();
  private readonly byType: Record<EndpointType, Deliver>;

  constructor(nc: NatsConnection) {
    const nats = new NatsDelivery(nc);
    this.byType = {
      nats: (target, event, raw) => nats.deliver(target, event, raw),
      webhook: (target, event, raw) => this.webhook.deliver(target, event, raw),
      mqtt: (target, event) => this.mqtt.deliver(target, event),
      amqp: (target, event) => this.amqp.deliver(target, event),
    };
  }

  /** Undefined for a kind this router cannot deliver to. */
  of(type: string): Deliver | undefined {
    return Object.hasOwn(this.byType, type) ? this.byType[type as EndpointType] : undefined;
  }

  async close(): Promise<void> {
    await Promise.all([this.webhook.close(), this.mqtt.close(), this.amqp.close()]);
  }
}
