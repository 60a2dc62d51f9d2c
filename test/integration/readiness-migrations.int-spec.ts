import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { loadTwinsConfig } from '../../apps/twins-service/src/config';
import { startTwinsService } from '../../apps/twins-service/src/main';
import { cleanup, migrate, newIsolation, PG_ADMIN_URL } from '../support/system';

/** A replica started before its migrations ran (a pod ahead of the migration Job) waits unready. */
describe('readiness and migrations', () => {
  const iso = newIsolation();
  let app: INestApplication | undefined;

  afterAll(async () => {
    await app?.close();
    await cleanup(iso);
  });

  it('reports not ready until the schema is current, then ready without a restart', async () => {
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "odt_test_${iso.id}"`);
    await admin.end();

    app = await startTwinsService(loadTwinsConfig(iso.env), false);
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    expect(JSON.stringify(await before.json())).toMatch(/waiting for migrations: CreateTwins/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    await migrate(iso);
    const after = await fetch(`${url}/readyz`);
    expect(after.status).toBe(200);
    expect(((await after.json()) as { checks: Record<string, string> }).checks.schema).toBe('ok');
  });
});
