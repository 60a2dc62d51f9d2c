import {
  commandProblems, composeSchemaValidator, dependsOnProblems, environmentOf, environmentProblems, gatewayAuthProblems,
  gatewayPortProblems, hardeningProblems, healthcheckProblems, imageProblems, interpolated, loadCompose, loadWorkspace,
  missingApps, profileProblems, schemaProblems, volumeProblems, type ComposeFile,
} from './compose-checks';

const ws = loadWorkspace();
const compose = loadCompose();
const validate = composeSchemaValidator();

describe('docker-compose.yml', () => {
  it('finds the apps and their config schemas in the repository', () => {
    expect(ws.apps.length).toBeGreaterThan(0);
    expect(ws.apps).toContain('gateway');
    expect(ws.databaseUsers.size).toBeGreaterThan(0);
  });

  it('runs every app under apps/ as a service', () => {
    expect(missingApps(compose, ws)).toEqual([]);
  });

  it('starts each app from its main.ts, and migrates once before', () => {
    expect(commandProblems(compose, ws)).toEqual([]);
  });

  it('gives each app the environment its config schema needs, and only variables the schema knows', () => {
    expect(environmentProblems(compose, ws)).toEqual([]);
  });

  it('checks each app\'s readiness on the PORT it listens on', () => {
    expect(healthcheckProblems(compose, ws)).toEqual([]);
  });

  it('starts apps after NATS and Postgres are healthy and the migration has completed', () => {
    expect(dependsOnProblems(compose, ws)).toEqual([]);
  });

  it('publishes the gateway port', () => {
    expect(gatewayPortProblems(compose)).toEqual([]);
  });

  it('pins every image to a tag other than latest', () => {
    expect(imageProblems(compose)).toEqual([]);
  });

  it('is a valid file by the Compose Specification\'s JSON schema', () => {
    expect(schemaProblems(compose, validate)).toEqual([]);
  });

  it('configures the gateway\'s authentication, since it listens on 0.0.0.0', () => {
    expect(gatewayAuthProblems(compose, ws)).toEqual([]);
  });

  it('runs the apps and the migration read-only, without capabilities or privilege escalation', () => {
    expect(hardeningProblems(compose, ws)).toEqual([]);
  });

  it('starts the system by default and keeps nats-box behind the tools profile', () => {
    expect(profileProblems(compose, ws)).toEqual([]);
  });

  it('keeps Postgres and NATS data in declared named volumes', () => {
    expect(volumeProblems(compose)).toEqual([]);
  });
});

/** The checks above are only worth something if a broken file fails them. */
describe('the docker-compose.yml checks', () => {
  const broken = (change: (c: ComposeFile) => void): ComposeFile => {
    const copy = structuredClone(compose);
    change(copy);
    return copy;
  };
  const env = (c: ComposeFile, service: string) => c.services[service].environment as Record<string, string>;

  it('fail on a misspelt variable name', () => {
    const c = broken((c) => {
      const e = env(c, 'gateway');
      e.NATS_URI = e.NATS_URL;
      delete e.NATS_URL;
    });
    expect(environmentProblems(c, ws)).toEqual(expect.arrayContaining([
      'gateway: NATS_URI is not a variable of its config schema',
      'gateway: NATS_URL is not set',
    ]));
  });

  it('fail on a variable of another service\'s schema', () => {
    const c = broken((c) => { env(c, 'gateway').MODELS_MAX_PER_UPLOAD = '10'; });
    expect(environmentProblems(c, ws)).toContain('gateway: MODELS_MAX_PER_UPLOAD is not a variable of its config schema');
  });

  it('fail on a value the schema rejects, and on a service listening on loopback only', () => {
    const c = broken((c) => {
      env(c, 'twins-service').LOG_LEVEL = 'verbose';
      env(c, 'twins-service').HOST = '127.0.0.1';
    });
    const problems = environmentProblems(c, ws);
    expect(problems.some((p) => p.startsWith('twins-service: LOG_LEVEL:'))).toBe(true);
    expect(problems).toContain('twins-service: HOST must be 0.0.0.0 in a container (got 127.0.0.1)');
  });

  it('fail on a database URL that does not reach the postgres service', () => {
    const c = broken((c) => { env(c, 'models-service').DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/digitaltwins'; });
    expect(environmentProblems(c, ws)).toContain('models-service: DATABASE_URL must point at the postgres service (got 127.0.0.1)');
  });

  it('fail when a service is missing', () => {
    const c = broken((c) => { delete c.services['event-router']; });
    expect(missingApps(c, ws)).toEqual(['apps/event-router has no service in docker-compose.yml']);
  });

  it('fail when the healthcheck port differs from PORT', () => {
    const c = broken((c) => { env(c, 'relationships-service').PORT = '9999'; });
    expect(healthcheckProblems(c, ws)).toEqual(['relationships-service: healthcheck port 8103 is not its PORT 9999']);
  });

  it('fail when a database user does not wait for the migration', () => {
    const c = broken((c) => {
      // A copy: the services share one depends_on mapping through a YAML alias.
      const { migrate: _migrate, ...rest } = c.services['twins-service'].depends_on as Record<string, { condition?: string }>;
      c.services['twins-service'].depends_on = rest;
    });
    expect(dependsOnProblems(c, ws)).toEqual(['twins-service: depends_on migrate must have condition service_completed_successfully (got undefined)']);
  });

  it('fail when the gateway port is not published', () => {
    const c = broken((c) => { delete c.services.gateway.ports; });
    expect(gatewayPortProblems(c)).toHaveLength(1);
  });

  it('fail on an untagged or latest image', () => {
    const c = broken((c) => {
      c.services.postgres.image = 'postgres';
      c.services.nats.image = 'nats:latest';
    });
    expect(imageProblems(c)).toEqual(['postgres: image postgres uses the tag latest', 'nats: image nats:latest uses the tag latest']);
  });

  it('fail on what the Compose Specification rejects', () => {
    const c = broken((c) => {
      (c.services.nats as Record<string, unknown>).helthcheck = { test: ['CMD', 'true'] };
      (c.services['twins-service'].depends_on as Record<string, { condition?: string }>).nats = { condition: 'service_healty' };
    });
    const problems = schemaProblems(c, validate);
    expect(problems.some((p) => p.startsWith('/services/nats must NOT have additional properties') && p.includes('helthcheck'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/services/twins-service/depends_on/nats/condition must be equal to one of the allowed values'))).toBe(true);
  });

  it('fail when the gateway listens on 0.0.0.0 without authentication', () => {
    const c = broken((c) => { delete env(c, 'gateway').AUTH_JWT_SECRET; });
    expect(gatewayAuthProblems(c, ws)).toHaveLength(1);
  });

  it('fail on a writable root filesystem or kept capabilities', () => {
    const c = broken((c) => {
      c.services['query-service'] = { ...c.services['query-service'], read_only: false, cap_drop: [] };
    });
    expect(hardeningProblems(c, ws)).toEqual(['query-service: read_only must be true', 'query-service: cap_drop must include ALL']);
  });

  it('fail when an app is behind a profile or nats-box is not', () => {
    const c = broken((c) => {
      c.services.gateway = { ...c.services.gateway, profiles: ['tools'] };
      c.services['nats-box'] = { ...c.services['nats-box'], profiles: [] };
    });
    expect(profileProblems(c, ws)).toEqual(['gateway: must not be behind a profile', 'nats-box: must be in the tools profile']);
  });

  it('fail on an undeclared volume, or Postgres data outside a volume', () => {
    const c = broken((c) => {
      delete c.volumes!['nats-data'];
      c.services.postgres = { ...c.services.postgres, volumes: [] };
    });
    expect(volumeProblems(c)).toEqual(['nats: volume nats-data is not declared under volumes', 'postgres: /var/lib/postgresql/data must be a named volume']);
  });

  it('read Compose interpolation', () => {
    expect(interpolated('${X:-info}')).toEqual({ value: 'info', suppliedAtUp: false });
    expect(interpolated('${X:?set X}')).toEqual({ value: undefined, suppliedAtUp: true });
    expect(interpolated('plain')).toEqual({ value: 'plain', suppliedAtUp: false });
  });

  it('read both environment syntaxes', () => {
    expect(environmentOf({ environment: ['PORT=8080', 'HOST'] })).toEqual({ PORT: '8080', HOST: undefined });
    expect(environmentOf({ environment: { PORT: 8080 } })).toEqual({ PORT: '8080' });
  });
});
