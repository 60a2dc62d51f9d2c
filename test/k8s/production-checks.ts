import type { Workspace } from '../compose/compose-checks';
import { isOurs, programOf, resolveEnv, where, workloads, type External, type K8sObject, type KeyRef } from './objects';
import { ingressFromNamespace } from './topology-checks';

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

/** The Service, namespace and port of an in-cluster URL: `http://<service>.<namespace>.svc[.cluster.local][:port][/path]`. */
function serviceUrl(value: string): { service: string; namespace: string; port: number } | undefined {
  const match = /^(https?):\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::(\d+))?(?:\/.*)?$/.exec(value);
  if (!match) return undefined;
  return { service: match[2], namespace: match[3], port: match[4] ? Number(match[4]) : match[1] === 'https' ? 443 : 80 };
}

/** The metric selectors of a PromQL query (`name{label="value",...}`), with their equality matchers. */
export function metricSelectors(query: string): { metric: string; labels: Record<string, string> }[] {
  return [...query.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)].map(([, metric, body]) => ({
    metric,
    labels: Object.fromEntries([...body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"/g)].map(([, k, v]) => [k, v])),
  }));
}

/**
 * KEDA scales the event router on what waits for it, read from Prometheus: a `prometheus` trigger
 * whose query reads only metrics the router exposes (`routerMetrics`), of the router's own series
 * (`service="event-router"`) in the namespace the objects are deployed to, from a Prometheus that
 * the network policies let scrape the router. A `nats-jetstream` trigger watches one consumer, and
 * the router's work waits in one consumer per endpoint, made as endpoints are routed.
 */
export function kedaProblems(objects: K8sObject[], routerMetrics: readonly string[]): string[] {
  const problems: string[] = [];
  const scaled = objects.filter((o) => o.kind === 'ScaledObject');
  if (scaled.length === 0) return ['no KEDA ScaledObject'];
  for (const so of scaled) {
    const id = `ScaledObject/${so.metadata.name}`;
    const target = workloads(objects).find((w) => w.object.kind === 'Deployment' && w.object.metadata.name === so.spec.scaleTargetRef.name);
    if (!target?.template.spec.containers.some((x) => programOf(x) === 'event-router')) {
      problems.push(`${id}: does not target the event router's Deployment`);
      continue;
    }
    const triggers = (so.spec.triggers ?? []) as { type: string; metadata: Record<string, string> }[];
    for (const t of triggers.filter((x) => x.type === 'nats-jetstream')) {
      problems.push(`${id}: a nats-jetstream trigger watches the one consumer ${t.metadata.consumer}; the router's backlog is in its endpoints' consumers`);
    }
    const prometheus = triggers.filter((t) => t.type === 'prometheus');
    if (prometheus.length === 0) problems.push(`${id}: has no prometheus trigger on the router's backlog`);
    for (const t of prometheus) {
      const server = serviceUrl(t.metadata.serverAddress ?? '');
      if (!server) problems.push(`${id}: serverAddress ${t.metadata.serverAddress} is not http://<service>.<namespace>.svc[:port]`);
      else if (!ingressFromNamespace(objects, target, server.namespace, 'http')) problems.push(`${id}: serverAddress is in namespace ${server.namespace}, from which no NetworkPolicy lets Prometheus scrape the event router`);
      const selectors = metricSelectors(t.metadata.query ?? '');
      if (selectors.length === 0) problems.push(`${id}: the query selects no metric`);
      for (const { metric, labels } of selectors) {
        if (!routerMetrics.includes(metric)) problems.push(`${id}: the query reads ${metric}, which the event router does not expose`);
        if (labels.service !== 'event-router') problems.push(`${id}: the query reads ${metric} without service="event-router"`);
        if (labels.namespace !== so.metadata.namespace) problems.push(`${id}: the query reads ${metric} of namespace ${String(labels.namespace)}, the objects are in ${String(so.metadata.namespace)}`);
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
    const apps = workloads(objects).flatMap((w) => w.template.spec.containers.filter(isOurs).filter((c) => !['migrate', 'mcp-server'].includes(programOf(c) ?? '')));  // the MCP server talks HTTP to the gateway only
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
