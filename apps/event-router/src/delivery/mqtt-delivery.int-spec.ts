import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { DigitalTwinsEvent } from '@odt/contracts';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttDelivery } from './mqtt-delivery';

const MOSQUITTO = process.env.TEST_MOSQUITTO_BIN ?? 'mosquitto';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A Mosquitto of this test's own (the shared one on 1883 must stay up), on a fixed port it can restart on. */
async function startBroker(port: number): Promise<ChildProcess> {
  const broker = spawn(MOSQUITTO, ['-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1000 }).catch(() => null);
    if (probe) {
      await probe.endAsync();
      return broker;
    }
    if (Date.now() > deadline) throw new Error(`mosquitto on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function event(id: string): DigitalTwinsEvent {
  return { specversion: '1.0', id, type: 'Microsoft.DigitalTwins.Twin.Update', source: 'test', subject: 'twin1', time: new Date().toISOString(), datacontenttype: 'application/json', data: {} } as unknown as DigitalTwinsEvent;
}

/**
 * The router keeps one MQTT connection per broker. When the broker goes away the client reconnects
 * every second and emits `error` for each refused attempt (mqtt's own connect() listens, so that
 * does not end the process): the router must live through that, and deliver again once the broker
 * is back.
 */
describe('MQTT delivery across a broker restart', () => {
  let port: number;
  let broker: ChildProcess | undefined;
  let subscriber: MqttClient | undefined;
  const delivery = new MqttDelivery();
  const received: string[] = [];

  beforeAll(async () => {
    port = await freePort();
    broker = await startBroker(port);
  });
  afterAll(async () => {
    await delivery.close().catch(() => undefined);
    await subscriber?.endAsync().catch(() => undefined);
    broker?.kill('SIGKILL');
  });

  const target = () => ({ endpoint: { name: 'broker', endpointType: 'mqtt' as const, url: `mqtt://127.0.0.1:${port}`, topic: 'dt/restart' } });
  const subscribe = async () => {
    subscriber = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, reconnectPeriod: 0 });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_topic, payload) => received.push(JSON.parse(payload.toString()).id));
    await subscriber.subscribeAsync('dt/restart', { qos: 1 });
  };
  const until = async (check: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('survives the refused reconnects while the broker is down, and delivers once it is back', async () => {
    await subscribe();
    await delivery.deliver(target(), event('before'));
    await until(() => received.includes('before'));

    broker!.kill('SIGKILL');
    await new Promise((resolve) => broker!.once('exit', resolve));
    // Several reconnect attempts (every second), each refused.
    await new Promise((r) => setTimeout(r, 3500));

    broker = await startBroker(port);
    await subscribe();
    await delivery.deliver(target(), event('after'));
    await until(() => received.includes('after'));
  }, 30_000);
});
