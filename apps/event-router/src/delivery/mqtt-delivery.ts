import { CloudEvent, MQTT } from 'cloudevents';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { connectAsync, type MqttClient } from 'mqtt';
import type { DeliveryTarget } from './delivery-target';

/**
 * Delivers to an `mqtt` endpoint: the CloudEvents MQTT binding (structured: the event as JSON with
 * content type `application/cloudevents+json`), MQTT 5, QoS 1 — done once the broker's PUBACK is in.
 * One connection per broker URL, kept open and reconnected by the client.
 */
export class MqttDelivery {
  private readonly clients = new Map<string, Promise<MqttClient>>();

  async deliver(target: DeliveryTarget, event: DigitalTwinsEvent): Promise<void> {
    const message = MQTT.structured(new CloudEvent(event as unknown as Record<string, unknown>, false));
    const client = await this.client(target.endpoint.url!);
    await client.publishAsync(target.endpoint.topic!, JSON.stringify(message.body), {
      qos: 1,
      properties: { contentType: message.PUBLISH?.['Content Type'] ?? 'application/cloudevents+json' },
    });
  }

  async close(): Promise<void> {
    const clients = await Promise.allSettled([...this.clients.values()]);
    await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value.endAsync() : undefined)));
  }

  private client(url: string): Promise<MqttClient> {
    let client = this.clients.get(url);
    if (!client) {
      client = connectAsync(url, { protocolVersion: 5, reconnectPeriod: 1000, connectTimeout: 5000 });
      client.catch(() => this.clients.delete(url));
      this.clients.set(url, client);
    }
    return client;
  }
}
