import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { z } from 'zod';

export const ROOT = path.resolve(__dirname, '../..');

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  restart?: string;
  profiles?: string[];
  read_only?: boolean | string;
  tmpfs?: string | string[];
  cap_drop?: string[];
  security_opt?: string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * The gateway variables that switch authentication on (`authModeOf` in
 * apps/gateway/src/auth/token-verifier.ts); without one it refuses to listen beyond loopback.
 */
export const GATEWAY_AUTH_VARIABLES = ['AUTH_JWT_SECRET', 'AUTH_JWT_SECRET_FILE', 'AUTH_PUBLIC_KEY', 'AUTH_JWKS_URL', 'AUTH_OIDC_ISSUER'];

/** Addresses the gateway may listen on without authentication (apps/gateway/src/main.ts). */
export const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/** What the checks compare the Compose file against, all read from the repository. */
export interface Workspace {
  /** Every app under `apps/` (a folder with `src/main.ts`). */
  apps: string[];
  /** Each app's config schema, found among the exports of its `src/config.ts`. */
  schemas: Record<string, z.AnyZodObject>;
  /** Apps with their own Postgres schema (`src/database/`): they need the migration to have run. */
  databaseUsers: Set<string>;
}

export function loadCompose(file = path.join(ROOT, 'docker-compose.yml')): ComposeFile {
  // `merge`: the file shares settings through YAML merge keys (`<<: *app`), as Compose does.
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * The Compose Specification's JSON schema, kept in the repository because tests cannot fetch:
 * compose-spec.schema.json is `schema/compose-spec.json` of github.com/compose-spec/compose-spec
 * at commit 00655e2222608fa6eaecdf12ac5195889ca2244a, unchanged.
 */
export function composeSchemaValidator() {
  const schema = JSON.parse(readFileSync(path.join(__dirname, 'compose-spec.schema.json'), 'utf8')) as Record<string, unknown>;
  // Not strict: the schema is theirs (it says `deprecated`, unions with `properties`...); its
  // `$schema` URL is not one Ajv knows by that spelling, and draft-07 is what it is written in.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  return ajv.compile(schema);
}

/** The file against the Compose Specification (after YAML merge keys, which Compose resolves first). */
export function schemaProblems(compose: unknown, validate = composeSchemaValidator()): string[] {
  if (validate(compose)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

export function loadWorkspace(): Workspace {
  const appsDir = path.join(ROOT, 'apps');
  const apps = readdirSync(appsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(appsDir, d.name, 'src', 'main.ts')))
    .map((d) => d.name)
    .sort();
  const schemas: Record<string, z.AnyZodObject> = {};
  for (const app of apps) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exports = require(path.join(appsDir, app, 'src', 'config.ts')) as Record<string, unknown>;
    const found = Object.entries(exports).filter(([name, value]) => name.endsWith('ConfigSchema') && value instanceof z.ZodObject);
    if (found.length !== 1) throw new Error(`apps/${app}/src/config.ts must export exactly one *ConfigSchema (found ${found.length})`);
    schemas[app] = found[0][1] as z.AnyZodObject;
  }
  const databaseUsers = new Set(apps.filter((app) => existsSync(path.join(appsDir, app, 'src', 'database'))));
  return { apps, schemas, databaseUsers };
}

/** A service's environment as a map, whichever of Compose's two syntaxes it uses. */
export function environmentOf(service: ComposeService | undefined): Record<string, string | undefined> {
  const env = service?.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const at = entry.indexOf('=');
      return at === -1 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

function dependsOn(service: ComposeService | undefined): Record<string, string | undefined> {
  const deps = service?.depends_on;
  if (!deps) return {};
  // The short (list) syntax means `service_started`: no condition worth the name.
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d?.condition]));
}

function commandText(command: string | string[] | undefined): string {
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
}

export function missingApps(compose: ComposeFile, ws: Workspace): string[] {
  return ws.apps.filter((app) => !compose.services?.[app]).map((app) => `apps/${app} has no service in docker-compose.yml`);
}

export function commandProblems(compose: ComposeFile, ws: Workspace): string[] {
  const problems: string[] = [];
  for (const app of ws.apps) {
    const cmd = commandText(compose.services?.[app]?.command);
    if (!cmd.includes('-r @swc-node/register') || !cmd.includes(`apps/${app}/src/main.ts`)) {
      problems.push(`${app}: command must run apps/${app}/src/main.ts with -r @swc-node/register (got "${cmd}")`);
    }
  }
  const migrate = compose.services?.migrate;
  if (!migrate) problems.push('no migrate service');
  else {
    if (!commandText(migrate.command).includes('tools/migrate.ts')) problems.push('migrate: command must run tools/migrate.ts');
    if (migrate.restart !== 'no') problems.push(`migrate: restart must be "no" (got ${String(migrate.restart)})`);
    if (!environmentOf(migrate).DATABASE_URL) problems.push('migrate: DATABASE_URL is not set');
  }
  return problems;
}

/**
 * Compose interpolation in a value: `${NAME:-default}` is the default (what `up` uses when NAME is
 * unset); `${NAME}`, `${NAME?msg}`, `${NAME:?msg}` are supplied at `up` time, so only their being
 * set is known here (`suppliedAtUp`).
 */
export function interpolated(value: string | undefined): { value: string | undefined; suppliedAtUp: boolean } {
  if (value === undefined) return { value, suppliedAtUp: false };
  let suppliedAtUp = false;
  const resolved = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)[^}]*)?\}/g, (_m, _name: string, dash?: string, fallback?: string) => {
    if (dash) return fallback ?? '';
    suppliedAtUp = true;
    return '';
  });
  return { value: suppliedAtUp ? undefined : resolved, suppliedAtUp };
}

/**
 * Each app's environment against its config schema: every key is one the schema knows (so a typo
 * fails), connection and listen settings are set, required ones too, and the whole set parses.
 * A value the user supplies at `up` time (`${NAME:?...}`) counts as set but is not parsed.
 */
export function environmentProblems(compose: ComposeFile, ws: Workspace): string[] {
  const problems: string[] = [];
  for (const app of ws.apps) {
    const service = compose.services?.[app];
    if (!service) continue;
    const schema = ws.schemas[app];
    const known = new Set(Object.keys(schema.shape));
    const raw = environmentOf(service);
    const suppliedAtUp = new Set(Object.keys(raw).filter((key) => interpolated(raw[key]).suppliedAtUp));
    const env = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, interpolated(value).value]));
    for (const key of Object.keys(env)) {
      if (!known.has(key)) problems.push(`${app}: ${key} is not a variable of its config schema`);
    }
    const needed = ['DATABASE_URL', 'NATS_URL', 'HOST', 'PORT'].filter((key) => known.has(key));
    const required = Object.entries(schema.shape as Record<string, z.ZodTypeAny>).filter(([, t]) => !t.isOptional()).map(([k]) => k);
    for (const key of new Set([...needed, ...required])) {
      if ((env[key] === undefined || env[key] === '') && !suppliedAtUp.has(key)) problems.push(`${app}: ${key} is not set`);
    }
    const parsed = schema.safeParse(env);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${app}: ${issue.path.join('.')}: ${issue.message}`);
    }
    if (env.HOST !== undefined && env.HOST !== '0.0.0.0') problems.push(`${app}: HOST must be 0.0.0.0 in a container (got ${env.HOST})`);
    problems.push(...hostProblems(app, 'DATABASE_URL', env.DATABASE_URL, 'postgres', compose));
    problems.push(...hostProblems(app, 'NATS_URL', env.NATS_URL, 'nats', compose));
  }
  return problems;
}

/** Connection URLs name the Compose service (not 127.0.0.1); the database password is Postgres's own. */
function hostProblems(app: string, key: string, value: string | undefined, expected: string, compose: ComposeFile): string[] {
  if (value === undefined) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${app}: ${key} is not a URL`];
  }
  const problems: string[] = [];
  if (url.hostname !== expected || !compose.services?.[expected]) problems.push(`${app}: ${key} must point at the ${expected} service (got ${url.hostname})`);
  if (key === 'DATABASE_URL') {
    const password = environmentOf(compose.services?.postgres).POSTGRES_PASSWORD;
    if (decodeURIComponent(url.password) !== password) problems.push(`${app}: DATABASE_URL's password is not the postgres service's POSTGRES_PASSWORD`);
  }
  return problems;
}

/** The healthcheck asks the service's own `/readyz`, on the PORT it was given. */
export function healthcheckProblems(compose: ComposeFile, ws: Workspace): string[] {
  const problems: string[] = [];
  for (const app of ws.apps) {
    const service = compose.services?.[app];
    if (!service) continue;
    const test = commandText(service.healthcheck?.test);
    const match = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/readyz\b/.exec(test);
    if (!match) {
      problems.push(`${app}: healthcheck must fetch http://127.0.0.1:<PORT>/readyz (got "${test}")`);
      continue;
    }
    const port = environmentOf(service).PORT;
    if (match[1] !== port) problems.push(`${app}: healthcheck port ${match[1]} is not its PORT ${String(port)}`);
  }
  return problems;
}

/** Start order: NATS (and Postgres) healthy, and the migration finished, before a service starts. */
export function dependsOnProblems(compose: ComposeFile, ws: Workspace): string[] {
  const problems: string[] = [];
  const expect = (app: string, deps: Record<string, string | undefined>, on: string, condition: string) => {
    if (deps[on] !== condition) problems.push(`${app}: depends_on ${on} must have condition ${condition} (got ${String(deps[on])})`);
  };
  for (const app of ws.apps) {
    const service = compose.services?.[app];
    if (!service) continue;
    const deps = dependsOn(service);
    const env = environmentOf(service);
    if (env.NATS_URL !== undefined) expect(app, deps, 'nats', 'service_healthy');
    if (ws.databaseUsers.has(app)) {
      expect(app, deps, 'postgres', 'service_healthy');
      expect(app, deps, 'migrate', 'service_completed_successfully');
    }
  }
  expect('migrate', dependsOn(compose.services?.migrate), 'postgres', 'service_healthy');
  // `service_healthy` is only satisfiable by a service that has a healthcheck.
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    for (const [on, condition] of Object.entries(dependsOn(service))) {
      if (!compose.services[on]) problems.push(`${name}: depends on unknown service ${on}`);
      else if (condition === 'service_healthy' && !compose.services[on].healthcheck?.test) problems.push(`${name}: waits for ${on} to be healthy, but ${on} has no healthcheck`);
    }
  }
  return problems;
}

/** The gateway's PORT is reachable from the host. */
export function gatewayPortProblems(compose: ComposeFile): string[] {
  const gateway = compose.services?.gateway;
  if (!gateway) return ['no gateway service'];
  const port = environmentOf(gateway).PORT;
  const targets = (gateway.ports ?? []).map((p) => {
    if (typeof p === 'object') return String(p.target);
    const parts = String(p).split('/')[0].split(':');
    return parts[parts.length - 1];
  });
  return targets.includes(String(port)) ? [] : [`gateway: its PORT ${String(port)} is not published (ports: ${JSON.stringify(gateway.ports ?? [])})`];
}

/** Every image is pinned to a tag, and never `latest` (an untagged image is `latest`). */
export function imageProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    if (!service.image) {
      problems.push(`${name}: has no image`);
      continue;
    }
    const ref = service.image.split('@')[0];
    const lastSlash = ref.lastIndexOf('/');
    const colon = ref.indexOf(':', lastSlash + 1);
    const tag = colon === -1 ? 'latest' : ref.slice(colon + 1);
    if (tag === 'latest') problems.push(`${name}: image ${service.image} uses the tag latest`);
  }
  return problems;
}

/** An app listening beyond loopback is the gateway with authentication on, or it would not start. */
export function gatewayAuthProblems(compose: ComposeFile, ws: Workspace): string[] {
  const gateway = compose.services?.gateway;
  if (!gateway) return ['no gateway service'];
  const known = new Set(Object.keys(ws.schemas.gateway?.shape ?? {}));
  const unknown = GATEWAY_AUTH_VARIABLES.filter((key) => !known.has(key));
  if (unknown.length > 0) return [`gateway: its config schema no longer has ${unknown.join(', ')}: update GATEWAY_AUTH_VARIABLES`];
  const env = environmentOf(gateway);
  if (LOOPBACK.test(env.HOST ?? '127.0.0.1')) return [];
  const set = GATEWAY_AUTH_VARIABLES.filter((key) => env[key] !== undefined && env[key] !== '');
  return set.length > 0 ? [] : [`gateway: listens on ${String(env.HOST)} without authentication (set one of ${GATEWAY_AUTH_VARIABLES.join(', ')})`];
}

/** The app containers (and the migration) run read-only, /tmp excepted, without capabilities or privilege escalation. */
export function hardeningProblems(compose: ComposeFile, ws: Workspace): string[] {
  const problems: string[] = [];
  for (const name of [...ws.apps, 'migrate']) {
    const service = compose.services?.[name];
    if (!service) continue;
    if (service.read_only !== true && service.read_only !== 'true') problems.push(`${name}: read_only must be true`);
    const tmpfs = typeof service.tmpfs === 'string' ? [service.tmpfs] : (service.tmpfs ?? []);
    if (!tmpfs.some((t) => t.split(':')[0] === '/tmp')) problems.push(`${name}: needs a tmpfs on /tmp (the transform cache of @swc-node/register)`);
    if (!(service.cap_drop ?? []).includes('ALL')) problems.push(`${name}: cap_drop must include ALL`);
    if (!(service.security_opt ?? []).some((o) => /^no-new-privileges(:true)?$/.test(o))) problems.push(`${name}: security_opt must include no-new-privileges:true`);
  }
  return problems;
}

/** `docker compose up` starts the system and nothing else; the dev tools wait behind the `tools` profile. */
export function profileProblems(compose: ComposeFile, ws: Workspace): string[] {
  const problems: string[] = [];
  for (const name of [...ws.apps, 'migrate', 'postgres', 'nats']) {
    if (compose.services?.[name]?.profiles?.length) problems.push(`${name}: must not be behind a profile`);
  }
  const box = Object.entries(compose.services ?? {}).find(([, s]) => s.image?.startsWith('natsio/nats-box:'));
  if (!box) problems.push('no natsio/nats-box service');
  else if (!(box[1].profiles ?? []).includes('tools')) problems.push(`${box[0]}: must be in the tools profile`);
  return problems;
}

/** Data lives in named volumes, each declared at the top level. */
export function volumeProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const named = (service: ComposeService | undefined) => (service?.volumes ?? []).flatMap((v) => {
    const source = typeof v === 'string' ? v.split(':')[0] : v.type === 'volume' || v.type === undefined ? v.source : undefined;
    const target = typeof v === 'string' ? v.split(':')[1] : v.target;
    // A source that is a path (./x, /x, ~/x) is a bind mount, not a named volume.
    return source && !/^[./~]/.test(source) ? [{ source, target }] : [];
  });
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    for (const { source } of named(service)) if (!declared.has(source)) problems.push(`${name}: volume ${source} is not declared under volumes`);
  }
  const expect = (service: string, target: string) => {
    if (!named(compose.services?.[service]).some((v) => v.target === target)) problems.push(`${service}: ${target} must be a named volume`);
  };
  expect('postgres', '/var/lib/postgresql/data');
  expect('nats', '/data');
  return problems;
}
