import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../compose/compose-checks';

// The rendered objects, and what the checks need to read them: workloads, selectors, environments.

export type Labels = Record<string, string>;

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  exec?: { command?: string[] };
  tcpSocket?: { port?: number | string };
  grpc?: { port?: number };
}

export interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string }; prefix?: string }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; emptyDir?: unknown; configMap?: { name: string }; secret?: { secretName: string } }[];
}

export interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}

export interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}

/** A rendered object; `spec` is read through the narrower types above where a check needs it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels; annotations?: Record<string, string> };
  // The shapes differ per kind; each check reads the fields it needs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  automountServiceAccountToken?: boolean;
}

/** A Deployment, StatefulSet or Job, with its pod template. */
export interface Workload {
  object: K8sObject;
  template: PodTemplate;
  replicas: number;
  selector?: LabelSelector;
}

/** `kubectl` on the PATH, if any. */
/** Where `.ci/provide-kubectl` puts kubectl when the machine has none (`.local/` is not tracked). */
export const PROVIDED_KUBECTL = path.join(ROOT, '.local', 'bin', 'kubectl');

/** kubectl: `KUBECTL` if set, else the first on the PATH, else the one `.ci/provide-kubectl` installed. */
export function findKubectl(): string | undefined {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  return existsSync(PROVIDED_KUBECTL) ? PROVIDED_KUBECTL : undefined;
}

/** The major version of the kustomize built into a kubectl (`kubectl version --client`), or undefined. */
export function kustomizeMajor(kubectl: string): number | undefined {
  const out = execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const found = /Kustomize Version: v(\d+)\./.exec(out);
  return found ? Number(found[1]) : undefined;
}

export function render(kubectl: string, overlay: string): K8sObject[] {
  const out = execFileSync(kubectl, ['kustomize', path.join(ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseObjects(out);
}

export function parseObjects(yamlText: string): K8sObject[] {
  const objects = parseAllDocuments(yamlText).map((d) => d.toJSON() as K8sObject).filter((o) => o);
  for (const o of objects) {
    // kustomize folds long base64 values over lines; the API server's decoder (Go's base64)
    // ignores the line breaks, so do the same before validating the `byte` format.
    if (o.kind === 'Secret' && o.data) o.data = Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  }
  return objects;
}

export const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

export function workloads(objects: K8sObject[]): Workload[] {
  return objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map((object) => ({
    object,
    template: object.spec.template as PodTemplate,
    replicas: object.kind === 'Job' ? 1 : ((object.spec.replicas as number | undefined) ?? 1),
    selector: object.spec.selector as LabelSelector | undefined,
  }));
}

export const containersOf = (w: Workload) => [...(w.template.spec.initContainers ?? []), ...w.template.spec.containers];
/** `Kind/name [container c]`, for messages. */
export const where = (w: Workload, c?: Container) => `${w.object.kind}/${w.object.metadata.name}${c ? ` container ${c.name}` : ''}`;

export function selects(selector: LabelSelector | undefined, labels: Labels = {}): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: return false;
    }
  });
  return byLabels && byExpressions;
}

/** Objects the overlay relies on that other software creates (operators, a Helm release, an operator's hand). */
export interface External {
  /** Secret name → its keys. */
  secrets: Record<string, string[]>;
  /** Labels of pods that run in the namespace without being rendered here. */
  pods: Labels[];
  /** Services of the namespace not rendered here. */
  services: string[];
}

/** The keys of CloudNativePG's `<cluster>-app` Secret (cloudnative-pg.io, "Connecting from an application"). */
export const CNPG_APP_SECRET_KEYS = ['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass', 'fqdn-uri', 'fqdn-jdbc-uri'];

/** What a CloudNativePG Cluster in the render brings: its `-app` Secret, its pods, its `-rw`/`-ro`/`-r` Services. */
export function cnpgExternal(objects: K8sObject[]): External {
  const clusters = objects.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'));
  return {
    secrets: Object.fromEntries(clusters.map((c) => [`${c.metadata.name}-app`, CNPG_APP_SECRET_KEYS])),
    pods: clusters.map((c) => ({ 'cnpg.io/cluster': c.metadata.name })),
    services: clusters.flatMap((c) => ['rw', 'ro', 'r'].map((s) => `${c.metadata.name}-${s}`)),
  };
}

export function mergeExternal(...parts: Partial<External>[]): External {
  return {
    secrets: Object.assign({}, ...parts.map((p) => p.secrets ?? {})) as Record<string, string[]>,
    pods: parts.flatMap((p) => p.pods ?? []),
    services: parts.flatMap((p) => p.services ?? []),
  };
}

export const IMAGE = 'open-digital-twins';

/** A container running our image (any registry, any tag). */
export function isOurs(c: Container): boolean {
  const ref = (c.image ?? '').split('@')[0];
  const name = ref.slice(0, ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref.lastIndexOf(':') : undefined);
  return name === IMAGE || name.endsWith(`/${IMAGE}`);
}

/** The app a container of ours runs (`apps/<app>/src/main.ts`), or `migrate` (`tools/migrate.ts`). */
export function programOf(c: Container): string | undefined {
  const line = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  if (!line.includes('-r @swc-node/register')) return undefined;
  const app = /\bapps\/([^/\s]+)\/src\/main\.ts\b/.exec(line);
  if (app) return app[1];
  return /\btools\/migrate\.ts\b/.test(line) ? 'migrate' : undefined;
}

/** tools/migrate.ts reads DATABASE_URL and nothing else. */

export interface ResolvedEnv {
  /** Variable → value where the render holds it (a literal or a ConfigMap), else undefined. */
  values: Record<string, string | undefined>;
  /** Variable → where it comes from, for messages. */
  sources: Record<string, string>;
  problems: string[];
}

/** A container's environment, with ConfigMap and Secret references resolved against the render and the known external objects. */
export function resolveEnv(c: Container, objects: K8sObject[], external: External): ResolvedEnv {
  const values: Record<string, string | undefined> = {};
  const sources: Record<string, string> = {};
  const problems: string[] = [];
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const keysOf = (kind: 'ConfigMap' | 'Secret', name: string): string[] | undefined => {
    const o = find(kind, name);
    if (o) return Object.keys(o.data ?? {});
    return kind === 'Secret' ? external.secrets[name] : undefined;
  };
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ? { kind: 'ConfigMap' as const, name: from.configMapRef.name } : from.secretRef ? { kind: 'Secret' as const, name: from.secretRef.name } : undefined;
    if (!ref) continue;
    const keys = keysOf(ref.kind, ref.name);
    if (!keys) {
      problems.push(`envFrom ${ref.kind} ${ref.name} does not exist`);
      continue;
    }
    for (const key of keys) {
      const name = `${from.prefix ?? ''}${key}`;
      values[name] = ref.kind === 'ConfigMap' ? find('ConfigMap', ref.name)?.data?.[key] : undefined;
      sources[name] = `${ref.kind} ${ref.name}`;
    }
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef ? { kind: 'ConfigMap' as const, ...e.valueFrom.configMapKeyRef } : e.valueFrom?.secretKeyRef ? { kind: 'Secret' as const, ...e.valueFrom.secretKeyRef } : undefined;
    if (ref) {
      const keys = keysOf(ref.kind, ref.name);
      if (!keys) problems.push(`${e.name}: ${ref.kind} ${ref.name} does not exist`);
      else if (!keys.includes(ref.key)) problems.push(`${e.name}: ${ref.kind} ${ref.name} has no key ${ref.key}`);
      values[e.name] = ref.kind === 'ConfigMap' ? find('ConfigMap', ref.name)?.data?.[ref.key] : undefined;
      sources[e.name] = `${ref.kind} ${ref.name}`;
    } else {
      values[e.name] = e.value ?? '';
      sources[e.name] = 'env';
    }
  }
  return { values, sources, problems };
}

/**
 * Each container of ours: every variable it gets is one its program's config schema knows, the
 * connection and listen settings are there, the values the render holds parse, and it listens
 * on 0.0.0.0 on the port it declares.
 */

/** A container port by number or by name. */
export function portNumber(c: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}
