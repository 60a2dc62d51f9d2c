import { startRoomAlerts } from './room-alerts';

/**
 * `node -r @swc-node/register examples/room-alerts/main.ts`, next to a running system with a `nats`
 * endpoint on ALERTS_SUBJECT and a route to it (e.g. filter "CHANGED('/Temperature')").
 */
startRoomAlerts({
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  databaseUrl: process.env.ALERTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/digitaltwins',
  subject: process.env.ALERTS_SUBJECT ?? 'alerts.rooms',
  stream: process.env.ALERTS_STREAM ?? 'ROOM_ALERTS',
  durable: process.env.ALERTS_CONSUMER ?? 'room-alerts',
  threshold: Number(process.env.ALERTS_THRESHOLD ?? 25),
}).then((app) => {
  process.stdout.write(`${JSON.stringify({ level: 'info', service: 'room-alerts', msg: 'subscribed' })}\n`);
  const stop = () => void app.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}, (err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'room-alerts', msg: (err as Error).message })}\n`);
  process.exit(1);
});
