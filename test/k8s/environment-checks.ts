import { z } from 'zod';
import { GATEWAY_AUTH_VARIABLES, LOOPBACK, type Workspace } from '../compose/compose-checks';
import { containersOf, isOurs, programOf, resolveEnv, where, workloads, type External, type K8sObject } from './objects';

const MIGRATE_SCHEMA = z.object({ DATABASE_URL: z.string().url() });

function schemaOf(program: string, ws: Workspace): z.AnyZodObject | undefined {
  return program === 'migrate' ? MIGRATE_SCHEMA : ws.schemas[program];
}

export function environmentProblems(objects: K8sObject[], ws: Workspace, external: External): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    for (const c of w.template.spec.containers.filter(isOurs)) {
      const program = programOf(c);
      const schema = program && schemaOf(program, ws);
      if (!program || !schema) {
        problems.push(`${where(w, c)}: runs neither an app under apps/ nor tools/migrate.ts`);
        continue;
      }
      const env = resolveEnv(c, objects, external);
      problems.push(...env.problems.map((p) => `${where(w, c)}: ${p}`));
      const known = new Set(Object.keys(schema.shape));
      for (const name of Object.keys(env.values)) {
        if (!known.has(name)) problems.push(`${where(w, c)}: ${name} (from ${env.sources[name]}) is not a variable of ${program}'s config schema`);
      }
      const needed = ['DATABASE_URL', 'NATS_URL', 'HOST', 'PORT'].filter((k) => known.has(k));
      const required = Object.entries(schema.shape as Record<string, z.ZodTypeAny>).filter(([, t]) => !t.isOptional()).map(([k]) => k);
      for (const key of new Set([...needed, ...required])) {
        if (!(key in env.values)) problems.push(`${where(w, c)}: ${key} is not set`);
      }
      const held = Object.fromEntries(Object.entries(env.values).filter(([k, v]) => v !== undefined && known.has(k)));
      const parsed = schema.pick(Object.fromEntries(Object.keys(held).map((k) => [k, true]))).safeParse(held);
      if (!parsed.success) for (const issue of parsed.error.issues) problems.push(`${where(w, c)}: ${issue.path.join('.')}: ${issue.message}`);
      if (program === 'migrate') continue;
      if (env.values.HOST !== '0.0.0.0') problems.push(`${where(w, c)}: HOST must be 0.0.0.0 (got ${String(env.values.HOST)})`);
      const http = c.ports?.find((p) => p.name === 'http');
      if (!http || String(http.containerPort) !== env.values.PORT) problems.push(`${where(w, c)}: its port named http (${String(http?.containerPort)}) is not its PORT (${String(env.values.PORT)})`);
    }
  }
  return problems;
}

/** The gateway listens on 0.0.0.0, which it refuses to do without authentication. */
export function gatewayAuthProblems(objects: K8sObject[], ws: Workspace, external: External): string[] {
  const known = new Set(Object.keys(ws.schemas.gateway?.shape ?? {}));
  const missing = GATEWAY_AUTH_VARIABLES.filter((k) => !known.has(k));
  if (missing.length > 0) return [`gateway: its config schema no longer has ${missing.join(', ')}`];
  const problems: string[] = [];
  const gateways = workloads(objects).flatMap((w) => w.template.spec.containers.filter((c) => programOf(c) === 'gateway').map((c) => ({ w, c })));
  if (gateways.length === 0) return ['no gateway container'];
  for (const { w, c } of gateways) {
    const env = resolveEnv(c, objects, external);
    if (LOOPBACK.test(env.values.HOST ?? '127.0.0.1')) continue;
    if (!GATEWAY_AUTH_VARIABLES.some((k) => k in env.values && env.values[k] !== '')) {
      problems.push(`${where(w, c)}: listens on ${String(env.values.HOST)} without authentication (set one of ${GATEWAY_AUTH_VARIABLES.join(', ')})`);
    }
  }
  return problems;
}

/** Every secretKeyRef/configMapKeyRef, envFrom and volume source names an object (and key) that exists. */
export function referenceProblems(objects: K8sObject[], external: External): string[] {
  const problems: string[] = [];
  const exists = (kind: string, name: string) => objects.some((o) => o.kind === kind && o.metadata.name === name) || (kind === 'Secret' && name in external.secrets);
  for (const w of workloads(objects)) {
    for (const c of containersOf(w)) problems.push(...resolveEnv(c, objects, external).problems.map((p) => `${where(w, c)}: ${p}`));
    for (const v of w.template.spec.volumes ?? []) {
      if (v.configMap && !exists('ConfigMap', v.configMap.name)) problems.push(`${where(w)}: volume ${v.name}: ConfigMap ${v.configMap.name} does not exist`);
      if (v.secret && !exists('Secret', v.secret.secretName)) problems.push(`${where(w)}: volume ${v.name}: Secret ${v.secret.secretName} does not exist`);
    }
    for (const c of containersOf(w)) {
      for (const m of c.volumeMounts ?? []) {
        if (!(w.template.spec.volumes ?? []).some((v) => v.name === m.name) && !(w.object.spec.volumeClaimTemplates ?? []).some((t: K8sObject) => t.metadata.name === m.name)) {
          problems.push(`${where(w, c)}: mounts ${m.name}, which is no volume of the pod`);
        }
      }
    }
    const sa = w.template.spec.serviceAccountName;
    if (sa && !exists('ServiceAccount', sa)) problems.push(`${where(w)}: ServiceAccount ${sa} does not exist`);
  }
  return problems;
}

/** Prometheus scrapes /metrics on each service's PORT (the port of /healthz). */
export function scrapeProblems(objects: K8sObject[], external: External): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects).filter((x) => x.object.kind === 'Deployment')) {
    for (const c of w.template.spec.containers.filter(isOurs)) {
      const a = w.template.metadata?.annotations ?? {};
      const port = resolveEnv(c, objects, external).values.PORT;
      if (a['prometheus.io/scrape'] !== 'true') problems.push(`${where(w)}: prometheus.io/scrape is not "true"`);
      if (a['prometheus.io/path'] !== '/metrics') problems.push(`${where(w)}: prometheus.io/path is not /metrics`);
      if (a['prometheus.io/port'] !== port) problems.push(`${where(w)}: prometheus.io/port ${String(a['prometheus.io/port'])} is not its PORT ${String(port)}`);
    }
  }
  return problems;
}

/**
 * One release version labels everything of ours; the migration Job's name ends in it (a new Job
 * per release); `pinnedImages`: our image's tag is that version too.
 */
