import type { Workspace } from '../compose/compose-checks';
import { isOurs, of, programOf, resolveEnv, where, workloads, type External, type K8sObject, type KeyRef } from './objects';

/** The services with tables (and the migration) read DATABASE_URL from a CloudNativePG Cluster's `-app` Secret, key `uri`; the Cluster has `minInstances`. */
export function cnpgProblems(objects: K8sObject[], ws: Workspace, minInstances: number): string[] {
  const problems: string[] = [];
  const clusters = objects.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'));
  if (clusters.length !== 1) return [`expected one CloudNativePG Cluster, found ${clusters.length}`];
  const [cluster] = clusters;
  if ((cluster.spec.instances as number) < minInstances) problems.push(`Cluster/${cluster.metadata.name}: ${String(cluster.spec.instances)} instances, fewer than ${minInstances}`);
  for (const w of workloads(objects)) {
    for (const c of w.template.spec.containers.filter(isOurs)) {
      const program = programOf(c);
      if (program !== 'migrate' && !(program && ws.databaseUsers.has(program))) continue;
      const ref = c.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
      if (ref?.name !== `${cluster.metadata.name}-app` || ref.key !== 'uri') problems.push(`${where(w, c)}: DATABASE_URL must come from Secret ${cluster.metadata.name}-app, key uri (got ${ref ? `${ref.name}, key ${ref.key}` : 'no secretKeyRef'})`);
    }
  }
  return problems;
}

/** A `host:port` of a Service, in `<service>.<namespace>.svc[.cluster.local]` form. */
function serviceEndpoint(value: string): { service: string; namespace?: string; port: number } | undefined {
  const match = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?)?:(\d+)$/.exec(value);
  return match ? { service: match[1], namespace: match[2], port: Number(match[3]) } : undefined;
}

/**
 * KEDA's nats-jetstream trigger watches the stream and durable consumer the event router really
 * uses (EVENTS_STREAM, ROUTER_CONSUMER, defaults included), through a monitoring endpoint in the
 * namespace the objects are deployed to (KEDA's operator resolves it from its own namespace).
 */
export function kedaProblems(objects: K8sObject[], ws: Workspace, external: External): string[] {
  const problems: string[] = [];
  const scaled = objects.filter((o) => o.kind === 'ScaledObject');
  if (scaled.length === 0) return ['no KEDA ScaledObject'];
  const services = new Set([...of(objects, 'Service').map((s) => s.metadata.name), ...external.services]);
  for (const so of scaled) {
    const id = `ScaledObject/${so.metadata.name}`;
    const target = workloads(objects).find((w) => w.object.kind === 'Deployment' && w.object.metadata.name === so.spec.scaleTargetRef.name);
    const c = target?.template.spec.containers.find((x) => programOf(x) === 'event-router');
    if (!target || !c) {
      problems.push(`${id}: does not target the event router's Deployment`);
      continue;
    }
    const env = resolveEnv(c, objects, external).values;
    const held = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
    const config = ws.schemas['event-router'].safeParse(held);
    if (!config.success) {
      problems.push(`${id}: the event router's configuration does not parse`);
      continue;
    }
    const triggers = (so.spec.triggers ?? []) as { type: string; metadata: Record<string, string> }[];
    const jetstream = triggers.filter((t) => t.type === 'nats-jetstream');
    if (jetstream.length === 0) problems.push(`${id}: has no nats-jetstream trigger`);
    for (const t of jetstream) {
      if (t.metadata.stream !== config.data.EVENTS_STREAM) problems.push(`${id}: stream ${t.metadata.stream} is not the event router's EVENTS_STREAM ${String(config.data.EVENTS_STREAM)}`);
      if (t.metadata.consumer !== config.data.ROUTER_CONSUMER) problems.push(`${id}: consumer ${t.metadata.consumer} is not the event router's ROUTER_CONSUMER ${String(config.data.ROUTER_CONSUMER)}`);
      const endpoint = serviceEndpoint(t.metadata.natsServerMonitoringEndpoint ?? '');
      if (!endpoint) problems.push(`${id}: natsServerMonitoringEndpoint ${t.metadata.natsServerMonitoringEndpoint} is not <service>.<namespace>.svc:<port>`);
      else {
        if (endpoint.namespace !== so.metadata.namespace) problems.push(`${id}: natsServerMonitoringEndpoint is in namespace ${String(endpoint.namespace)}, the objects in ${String(so.metadata.namespace)}`);
        if (!services.has(endpoint.service)) problems.push(`${id}: natsServerMonitoringEndpoint names ${endpoint.service}, which is no Service of the namespace`);
        if (endpoint.port !== 8222) problems.push(`${id}: natsServerMonitoringEndpoint port ${endpoint.port} is not NATS's monitoring port 8222`);
      }
    }
  }
  return problems;
}

/** The parts of the NATS Helm chart's values that the overlay relies on. */
export interface NatsValues {
  fullnameOverride?: string;
  config?: {
    cluster?: { enabled?: boolean; replicas?: number };
    jetstream?: { enabled?: boolean; fileStore?: { enabled?: boolean; pvc?: { enabled?: boolean; size?: string } } };
    monitor?: { enabled?: boolean; port?: number };
    merge?: { authorization?: { user?: string; password?: string } };
  };
  container?: { image?: { tag?: string }; env?: Record<string, string | { valueFrom?: { secretKeyRef?: KeyRef } }> };
}

/**
 * A JetStream cluster of `replicas` servers on persistent volumes, monitored on 8222 (probes,
 * KEDA), with the release's own name (`nats`, which NATS_URL names), and the user and password
 * the services send.
 */
export function natsValuesProblems(values: NatsValues, objects: K8sObject[], external: External, replicas: number): string[] {
  const problems: string[] = [];
  const config = values.config ?? {};
  if (config.cluster?.enabled !== true || (config.cluster.replicas ?? 0) < replicas) problems.push(`config.cluster: a cluster of ${replicas} is expected`);
  if (config.jetstream?.enabled !== true) problems.push('config.jetstream.enabled is not true');
  const store = config.jetstream?.fileStore;
  if (store?.enabled !== true || store.pvc?.enabled !== true || !store.pvc.size) problems.push('config.jetstream.fileStore: file storage on a persistent volume (pvc.enabled, pvc.size) is expected');
  if (config.monitor?.enabled === false || (config.monitor?.port ?? 8222) !== 8222) problems.push('config.monitor must be enabled on 8222');
  if (values.fullnameOverride !== undefined && values.fullnameOverride !== 'nats') problems.push(`fullnameOverride ${values.fullnameOverride}: the Services must be called nats and nats-headless`);
  const tag = values.container?.image?.tag;
  if (!tag || tag === 'latest') problems.push('container.image.tag must pin the NATS server version');
  const auth = config.merge?.authorization;
  if (auth) {
    const apps = workloads(objects).flatMap((w) => w.template.spec.containers.filter(isOurs).filter((c) => programOf(c) !== 'migrate'));
    const passwordVar = /^<<\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*>>$/.exec(auth.password ?? '')?.[1];
    const serverRef = passwordVar ? values.container?.env?.[passwordVar] : undefined;
    const serverSecret = typeof serverRef === 'object' ? serverRef.valueFrom?.secretKeyRef : undefined;
    if (!serverSecret) problems.push('config.merge.authorization.password must be << $VAR >> with VAR from a Secret in container.env');
    else if (!external.secrets[serverSecret.name]?.includes(serverSecret.key) && !objects.some((o) => o.kind === 'Secret' && o.metadata.name === serverSecret.name)) problems.push(`the NATS password's Secret ${serverSecret.name} (key ${serverSecret.key}) is not provided`);
    for (const c of apps) {
      const env = resolveEnv(c, objects, external);
      const ref = c.env?.find((e) => e.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef;
      if (env.values.NATS_USER !== auth.user) problems.push(`${c.command?.join(' ')}: NATS_USER ${String(env.values.NATS_USER)} is not the server's user ${String(auth.user)}`);
      if (!ref || !serverSecret || ref.name !== serverSecret.name || ref.key !== serverSecret.key) problems.push(`${c.command?.join(' ')}: NATS_PASSWORD does not come from the server's Secret`);
    }
  }
  return problems;
}

/** The keys of the Secret that docs/deploy.md has the operator create (`kubectl create secret generic <name> --from-literal=<key>=...`). */
export function secretKeysFromDocs(markdown: string, name: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => new RegExp(`create secret generic ${name}\\b`).test(l));
  if (start === -1) return [];
  const command: string[] = [];
  for (let i = start; i < lines.length; i++) {
    command.push(lines[i]);
    if (!lines[i].trimEnd().endsWith('\\')) break;
  }
  return [...command.join(' ').matchAll(/--from-(?:literal|file)=([A-Za-z0-9._-]+)=/g)].map((m) => m[1]);
}
