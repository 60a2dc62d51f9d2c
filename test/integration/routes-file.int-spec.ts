import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSystem, type TestSystem } from '../support/system';

/** Beyond ADT: endpoints and routes declared in a YAML file, applied at start and on change. */
describe('routes as code (ROUTES_FILE)', () => {
  let system: TestSystem;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'routes-')), 'routes.yaml');

  beforeAll(async () => {
    writeFileSync(file, [
      'endpoints:',
      '  alerts:',
      '    endpointType: nats',
      '    subject: alerts.rooms',
      'routes:',
      '  hot-rooms:',
      '    endpointName: alerts',
      "    filter: \"$patch./Temperature > 25\"",
    ].join('\n'));
    system = await startSystem({ without: ['models', 'twins', 'relationships', 'query'], overrides: { ROUTES_FILE: file } });
  });
  afterAll(() => system?.stop());

  async function get(route: string) {
    const res = await fetch(`${system.gatewayUrl}${route}?api-version=2023-10-31`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('applies the file at start, and a change to it within a second or two', async () => {
    expect((await get('/eventroutes/hot-rooms')).body).toEqual({ id: 'hot-rooms', endpointName: 'alerts', filter: '$patch./Temperature > 25' });
    expect((await get('/endpoints/alerts')).body).toMatchObject({ endpointType: 'nats', subject: 'alerts.rooms' });

    writeFileSync(file, [
      'endpoints:',
      '  alerts:',
      '    endpointType: nats',
      '    subject: alerts.all',
      'routes:',
      '  hot-rooms:',
      '    endpointName: alerts',
      "    filter: \"CHANGED('/Temperature')\"",
    ].join('\n'));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await get('/eventroutes/hot-rooms')).body.filter !== "CHANGED('/Temperature')") await new Promise((r) => setTimeout(r, 100));
    expect((await get('/eventroutes/hot-rooms')).body.filter).toBe("CHANGED('/Temperature')");
    expect((await get('/endpoints/alerts')).body.subject).toBe('alerts.all');
  });
});
