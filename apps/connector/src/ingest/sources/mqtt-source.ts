import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import { appendPatiently, decodePayload, type RunningSource, type SourceContext, type SourceOf } from './source';

/**
 * An MQTT source: MQTT 5, QoS 1, a persistent session (stable client id, `clean: false`, a
 * session expiry), so that what arrives while no replica is connected waits at the broker. The
 * PUBACK of a message is sent only once the ingest stream has it (`handleMessage`'s callback,
 * which MQTT.js awaits before handling the next packet: the ack point and the backpressure).
 */
export function startMqttSource(source: SourceOf<'mqtt'>, ctx: SourceContext, options: { sessionExpirySeconds: number; receiveMaximum: number }): RunningSource {
  let stopped = false;
  const client: MqttClient = connect(source.url, {
    protocolVersion: 5,
    clientId: `odt-${ctx.installation}-${ctx.connection}`.slice(0, 128),
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    properties: { sessionExpiryInterval: options.sessionExpirySeconds, receiveMaximum: options.receiveMaximum },
    ...(source.username ? { username: source.username } : {}),
    ...(ctx.secret ? { password: ctx.secret } : {}),
  });
  client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
    ctx.received();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(packet.properties?.userProperties ?? {})) headers[k] = Array.isArray(v) ? v.join(',') : String(v);
    if (packet.properties?.contentType) headers['content-type'] = packet.properties.contentType;
    const envelope = { topic: packet.topic, headers, payload: decodePayload(packet.payload as Buffer), receivedAt: new Date().toISOString() };
    void appendPatiently(ctx, envelope, () => stopped).then((appended) => {
      // Not appended (stopping): no PUBACK; the broker keeps the message in the session.
      if (appended) done();
    });
  };
  client.on('connect', (ack) => {
    ctx.logger.info({ connection: ctx.connection, sessionPresent: ack.sessionPresent }, 'mqtt source connected');
    client.subscribe(source.topic, { qos: 1 }, (err) => {
      if (err) ctx.logger.error({ connection: ctx.connection, err: err.message }, 'mqtt source could not subscribe');
    });
  });
  client.on('error', (err) => ctx.logger.warn({ connection: ctx.connection, err: err.message }, 'mqtt source error'));
  return {
    async stop() {
      stopped = true;
      // force: unacknowledged messages stay in the broker's session for the next owner.
      await client.endAsync(true).catch(() => undefined);
    },
  };
}
