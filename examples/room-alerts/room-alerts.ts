import { connect } from '@nats-io/transport-node';
import { EventTypes } from '@odt/contracts';
import { patchedValue, processedEventsTableSql, processOnce, subscribeToEndpoint, type EventSubscription, type TypedEvent } from '@odt/subscriber';
import { Pool } from 'pg';

export interface RoomAlertsOptions {
  natsUrl: string;
  databaseUrl: string;
  /** The `nats` endpoint's subject, and the stream (created if missing) that keeps its events. */
  subject: string;
  stream: string;
  durable: string;
  /** Degrees above which a room is in alert. */
  threshold: number;
}

/**
 * A downstream subscriber: keeps `room_alerts` (one row per room whose Temperature went above the
 * threshold, cleared when it comes back down) from the Twin.Update events of a `nats` endpoint.
 * Each event is applied once, however often it is delivered.
 */
export async function startRoomAlerts(options: RoomAlertsOptions): Promise<{ pool: Pool; stop(): Promise<void> }> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: 2 });
  await pool.query(processedEventsTableSql());
  await pool.query(`CREATE TABLE IF NOT EXISTS room_alerts (
    twin_id text PRIMARY KEY, temperature double precision NOT NULL, raised_at timestamptz NOT NULL, cleared_at timestamptz)`);
  const nc = await connect({ servers: options.natsUrl });
  const subscription: EventSubscription = await subscribeToEndpoint(
    { nc, stream: options.stream, subject: options.subject, durable: options.durable },
    (event) => applyEvent(pool, event, options.threshold),
  );
  return {
    pool,
    async stop() {
      await subscription.stop();
      await nc.close();
      await pool.end();
    },
  };
}

async function applyEvent(pool: Pool, event: TypedEvent, threshold: number): Promise<void> {
  const temperature = patchedValue(event, '/Temperature');
  if (event.type !== EventTypes.TwinUpdate || typeof temperature !== 'number') return;
  const client = await pool.connect();
  try {
    await processOnce(client, event.id, async () => {
      if (temperature > threshold) {
        await client.query(
          `INSERT INTO room_alerts (twin_id, temperature, raised_at) VALUES ($1, $2, now())
           ON CONFLICT (twin_id) DO UPDATE SET temperature = $2, cleared_at = NULL,
             raised_at = CASE WHEN room_alerts.cleared_at IS NULL THEN room_alerts.raised_at ELSE now() END`,
          [event.subject, temperature],
        );
      } else {
        await client.query(`UPDATE room_alerts SET temperature = $2, cleared_at = now() WHERE twin_id = $1 AND cleared_at IS NULL`, [event.subject, temperature]);
      }
    });
  } finally {
    client.release();
  }
}
