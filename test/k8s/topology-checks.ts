import type { Workspace } from '../compose/compose-checks';
import {
  containersOf, isOurs, of, portNumber, programOf, resolveEnv, selects, where, workloads, type Container, type External, type K8sObject,
  type LabelSelector, type Labels, type NetworkPolicyPeer, type NetworkPolicyRule, type Workload,
} from './objects';

const podLabelSets = (objects: K8sObject[], external: External): Labels[] => [...workloads(objects).map((w) => w.template.metadata?.labels ?? {}), ...external.pods];

/** Workload selectors match their own template; every Service selects pods and a port they have. */
export function selectorProblems(objects: K8sObject[], external: External): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects).filter((x) => x.object.kind !== 'Job')) {
    if (!w.selector || Object.keys(w.selector.matchLabels ?? {}).length + (w.selector.matchExpressions ?? []).length === 0) problems.push(`${where(w)}: has no selector`);
    else if (!selects(w.selector, w.template.metadata?.labels)) problems.push(`${where(w)}: its selector does not match its pod template's labels`);
    const others = workloads(objects).filter((x) => x.object !== w.object && x.object.kind !== 'Job' && selects(w.selector, x.template.metadata?.labels));
    if (others.length > 0) problems.push(`${where(w)}: its selector also matches ${others.map((x) => where(x)).join(', ')}`);
  }
  for (const svc of of(objects, 'Service')) {
    const selector = { matchLabels: svc.spec.selector as Labels | undefined };
    if (!selector.matchLabels || Object.keys(selector.matchLabels).length === 0) {
      problems.push(`Service/${svc.metadata.name}: has no selector`);
      continue;
    }
    const targets = workloads(objects).filter((w) => selects(selector, w.template.metadata?.labels));
    if (targets.length === 0 && !external.pods.some((labels) => selects(selector, labels))) {
      problems.push(`Service/${svc.metadata.name}: selects no pods`);
      continue;
    }
    for (const port of (svc.spec.ports ?? []) as { port: number; targetPort?: number | string }[]) {
      const target = port.targetPort ?? port.port;
      const served = targets.some((w) => w.template.spec.containers.some((c) => portNumber(c, target) !== undefined && (typeof target === 'string' || c.ports?.some((p) => p.containerPort === target))));
      if (targets.length > 0 && !served) problems.push(`Service/${svc.metadata.name}: no selected pod has port ${String(target)}`);
    }
  }
  for (const pdb of of(objects, 'PodDisruptionBudget')) {
    if (!podLabelSets(objects, external).some((labels) => selects(pdb.spec.selector as LabelSelector, labels))) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no pods`);
  }
  return problems;
}

/**
 * A Deployment with 2 or more replicas has a PodDisruptionBudget and is autoscaled, by an HPA or
 * by a KEDA ScaledObject (never both), whose minimum is its replica count.
 */
export function availabilityProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const hpas = of(objects, 'HorizontalPodAutoscaler');
  const scaled = objects.filter((o) => o.kind === 'ScaledObject');
  for (const hpa of hpas) {
    const ref = hpa.spec.scaleTargetRef as { kind: string; name: string };
    if (!objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name)) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: targets ${ref.kind}/${ref.name}, which does not exist`);
  }
  for (const so of scaled) {
    const ref = so.spec.scaleTargetRef as { kind?: string; name: string };
    if (!objects.some((o) => o.kind === (ref.kind ?? 'Deployment') && o.metadata.name === ref.name)) problems.push(`ScaledObject/${so.metadata.name}: targets ${ref.name}, which does not exist`);
  }
  for (const w of workloads(objects).filter((x) => x.object.kind === 'Deployment')) {
    const name = w.object.metadata.name;
    const myHpas = hpas.filter((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name);
    const mySos = scaled.filter((s) => (s.spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment' && s.spec.scaleTargetRef.name === name);
    if (myHpas.length + mySos.length > 1) problems.push(`${where(w)}: more than one autoscaler (${[...myHpas, ...mySos].map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
    for (const h of myHpas) {
      if ((h.spec.minReplicas ?? 1) !== w.replicas) problems.push(`${where(w)}: ${w.replicas} replicas, but its HPA's minReplicas is ${String(h.spec.minReplicas ?? 1)}`);
      if (h.spec.maxReplicas <= (h.spec.minReplicas ?? 1) && w.replicas >= 2) problems.push(`${where(w)}: its HPA cannot scale out (maxReplicas ${String(h.spec.maxReplicas)})`);
    }
    for (const s of mySos) {
      if ((s.spec.minReplicaCount ?? 0) !== w.replicas) problems.push(`${where(w)}: ${w.replicas} replicas, but its ScaledObject's minReplicaCount is ${String(s.spec.minReplicaCount ?? 0)}`);
    }
    if (w.replicas < 2) continue;
    if (myHpas.length + mySos.length === 0) problems.push(`${where(w)}: ${w.replicas} replicas and no HorizontalPodAutoscaler or ScaledObject`);
    const pdbs = of(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector as LabelSelector, w.template.metadata?.labels));
    if (pdbs.length === 0) problems.push(`${where(w)}: ${w.replicas} replicas and no PodDisruptionBudget`);
    for (const p of pdbs) {
      const min = p.spec.minAvailable as number | string | undefined;
      if (typeof min === 'number' && min >= w.replicas) problems.push(`PodDisruptionBudget/${p.metadata.name}: minAvailable ${min} blocks every eviction of ${w.replicas} replicas`);
      if (p.spec.maxUnavailable === 0) problems.push(`PodDisruptionBudget/${p.metadata.name}: maxUnavailable 0 blocks every eviction`);
    }
  }
  return problems;
}

export function releaseProblems(objects: K8sObject[], pinnedImages: boolean): string[] {
  const problems: string[] = [];
  const ours = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] === 'open-digital-twins');
  const versions = new Set(ours.map((o) => o.metadata.labels?.['app.kubernetes.io/version']));
  if (versions.size !== 1 || versions.has(undefined)) return [`our objects carry versions ${JSON.stringify([...versions])}, not exactly one`];
  const [version] = [...versions] as string[];
  const migrations = workloads(objects).filter((w) => w.object.kind === 'Job' && w.template.spec.containers.some((c) => programOf(c) === 'migrate'));
  if (migrations.length !== 1) problems.push(`expected one migration Job, found ${migrations.length}`);
  for (const m of migrations) {
    if (!m.object.metadata.name.endsWith(`-v${version}`)) problems.push(`${where(m)}: its name does not end in -v${version}, so a new release would not run it`);
    if (m.template.spec.containers.length !== 1) problems.push(`${where(m)}: one container expected`);
  }
  if (pinnedImages) {
    for (const w of workloads(objects)) {
      for (const c of containersOf(w).filter(isOurs)) {
        if (!(c.image ?? '').endsWith(`:${version}`)) problems.push(`${where(w, c)}: image ${String(c.image)} is not the release ${version}`);
      }
    }
  }
  return problems;
}

type Direction = 'Ingress' | 'Egress';

function policyTypes(np: K8sObject): Direction[] {
  return (np.spec.policyTypes as Direction[] | undefined) ?? (np.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

function policiesFor(objects: K8sObject[], labels: Labels, direction: Direction): K8sObject[] {
  return of(objects, 'NetworkPolicy').filter((np) => policyTypes(np).includes(direction) && selects(np.spec.podSelector as LabelSelector, labels));
}

/** Whether a rule lets `port`/`protocol` through, named ports resolved on `c` (the pod the rule is about). */
function rulePasses(rule: NetworkPolicyRule, port: number, protocol: string, c?: Container): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || (c ? portNumber(c, p.port) : p.port) === port));
}

/** Ports of the pod open to any source (a rule without `from`, or from an ipBlock), 'all' when unrestricted. */
export function openToAnyone(objects: K8sObject[], w: Workload): number[] | 'all' {
  const policies = policiesFor(objects, w.template.metadata?.labels ?? {}, 'Ingress');
  if (policies.length === 0) return 'all';
  const c = w.template.spec.containers[0];
  const open = new Set<number>();
  for (const np of policies) {
    for (const rule of (np.spec.ingress ?? []) as NetworkPolicyRule[]) {
      if (rule.from && rule.from.length > 0 && !rule.from.some((p) => p.ipBlock)) continue;
      if (!rule.ports || rule.ports.length === 0) return 'all';
      for (const p of rule.ports) {
        const n = portNumber(c, p.port);
        if (n !== undefined) open.add(n);
      }
    }
  }
  return [...open];
}

/** Whether pods of namespace `namespace` may reach the workload's pods on `port` (a number, or a port name of its first container). */
export function ingressFromNamespace(objects: K8sObject[], w: Workload, namespace: string, port: number | string): boolean {
  const policies = policiesFor(objects, w.template.metadata?.labels ?? {}, 'Ingress');
  if (policies.length === 0) return true;
  const c = w.template.spec.containers[0];
  const n = portNumber(c, port);
  if (n === undefined) return false;
  const fromNamespace = (peer: NetworkPolicyPeer) => !peer.podSelector && !peer.ipBlock && selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace });
  return policies.some((np) => ((np.spec.ingress ?? []) as NetworkPolicyRule[]).some((rule) =>
    (!rule.from || rule.from.length === 0 || rule.from.some(fromNamespace)) && rulePasses(rule, n, 'TCP', c)));
}

export function egressAllowed(objects: K8sObject[], labels: Labels, port: number, protocol = 'TCP'): boolean {
  const policies = policiesFor(objects, labels, 'Egress');
  if (policies.length === 0) return true;
  return policies.some((np) => ((np.spec.egress ?? []) as NetworkPolicyRule[]).some((rule) => rulePasses(rule, port, protocol)));
}

/**
 * Ingress is denied by default; of our pods only the gateway and the MCP server are open to anyone, on their PORT
 * alone; every pod of ours may reach DNS, NATS (4222) and, if it uses the database, Postgres (5432).
 */
export function networkProblems(objects: K8sObject[], ws: Workspace): string[] {
  const problems: string[] = [];
  const denyAll = of(objects, 'NetworkPolicy').some((np) => {
    const selector = np.spec.podSelector as LabelSelector;
    const everyPod = Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
    return everyPod && policyTypes(np).includes('Ingress') && (np.spec.ingress ?? []).length === 0;
  });
  if (!denyAll) problems.push('no NetworkPolicy denies ingress to every pod by default');
  for (const w of workloads(objects)) {
    const c = w.template.spec.containers.find(isOurs);
    if (!c) continue;
    const program = programOf(c);
    const open = openToAnyone(objects, w);
    const http = c.ports?.find((p) => p.name === 'http')?.containerPort;
    if (program === 'gateway' || program === 'mcp-server') {
      if (open === 'all' || open.length !== 1 || open[0] !== http) problems.push(`${where(w)}: must be open to anyone on its port ${String(http)} only (open: ${JSON.stringify(open)})`);
    } else if (open === 'all' || open.length > 0) {
      problems.push(`${where(w)}: is reachable from anywhere (open: ${JSON.stringify(open)})`);
    }
    const labels = w.template.metadata?.labels ?? {};
    if (!egressAllowed(objects, labels, 53, 'UDP')) problems.push(`${where(w)}: cannot reach DNS`);
    if (program !== 'migrate' && !egressAllowed(objects, labels, 4222)) problems.push(`${where(w)}: cannot reach NATS on 4222`);
    if ((program === 'migrate' || (program && ws.databaseUsers.has(program))) && !egressAllowed(objects, labels, 5432)) problems.push(`${where(w)}: cannot reach Postgres on 5432`);
  }
  return problems;
}

/** NetworkPolicies select pods that exist: rendered, or known to be created by others. */
export function policySelectionProblems(objects: K8sObject[], external: External): string[] {
  return of(objects, 'NetworkPolicy')
    .filter((np) => !podLabelSets(objects, external).some((labels) => selects(np.spec.podSelector as LabelSelector, labels)))
    .map((np) => `NetworkPolicy/${np.metadata.name}: selects no pods`);
}

/** Service host names in connection URLs resolve to Services of the namespace. */
export function serviceHostProblems(objects: K8sObject[], external: External): string[] {
  const problems: string[] = [];
  const services = new Set([...of(objects, 'Service').map((s) => s.metadata.name), ...external.services]);
  for (const w of workloads(objects)) {
    for (const c of w.template.spec.containers.filter(isOurs)) {
      const url = resolveEnv(c, objects, external).values.NATS_URL;
      if (url === undefined) continue;
      for (const server of url.split(',')) {
        const host = new URL(server).hostname;
        if (!services.has(host)) problems.push(`${where(w, c)}: NATS_URL names ${host}, which is no Service of the namespace`);
      }
    }
  }
  return problems;
}
