import { containersOf, isOurs, portNumber, where, workloads, type K8sObject } from './objects';

/**
 * Every long-running container has startup, readiness and liveness probes; liveness over HTTP
 * asks /healthz (never dependent on Postgres or NATS). Ours: readiness is GET /readyz and liveness
 * GET /healthz, on the container's http port.
 */
export function probeProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects).filter((x) => x.object.kind !== 'Job')) {
    for (const c of w.template.spec.containers) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        if (!c[probe]) problems.push(`${where(w, c)}: has no ${probe}`);
      }
      const live = c.livenessProbe?.httpGet;
      if (live && live.path?.split('?')[0] !== '/healthz') problems.push(`${where(w, c)}: livenessProbe asks ${String(live.path)}, not /healthz`);
      if (!isOurs(c)) continue;
      const http = c.ports?.find((p) => p.name === 'http')?.containerPort;
      const expect = (probe: 'startupProbe' | 'readinessProbe' | 'livenessProbe', pathname: string) => {
        const get = c[probe]?.httpGet;
        if (!get || get.path !== pathname) problems.push(`${where(w, c)}: ${probe} must be GET ${pathname}`);
        else if (portNumber(c, get.port) !== http || http === undefined) problems.push(`${where(w, c)}: ${probe} must use the http port`);
      };
      expect('readinessProbe', '/readyz');
      expect('livenessProbe', '/healthz');
    }
  }
  return problems;
}

/** Every container (init containers and Jobs too) requests and is limited in CPU and memory. */
export function resourceProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    for (const c of containersOf(w)) {
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (c.resources?.[kind]?.[resource] === undefined) problems.push(`${where(w, c)}: no ${resource} ${kind}`);
        }
      }
    }
  }
  return problems;
}

/** Every image is pinned: a tag other than latest, or a digest. */
export function imageProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    for (const c of containersOf(w)) {
      const image = c.image ?? '';
      if (image.includes('@sha256:')) continue;
      const lastSlash = image.lastIndexOf('/');
      const colon = image.indexOf(':', lastSlash + 1);
      const tag = colon === -1 ? undefined : image.slice(colon + 1);
      if (!tag || tag === 'latest') problems.push(`${where(w, c)}: image ${image || '(none)'} is not pinned to a tag`);
    }
  }
  return problems;
}

/**
 * Pods run as non-root with the RuntimeDefault seccomp profile; containers cannot escalate, drop
 * every capability and have a read-only root filesystem (ours write to an emptyDir on /tmp); no
 * service account token is mounted.
 */
export function securityProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const pod = w.template.spec;
    const sa = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName);
    // The pod's setting wins over its ServiceAccount's; both unset means mounted.
    if ((pod.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true) !== false) problems.push(`${where(w)}: mounts a service account token`);
    if (!pod.serviceAccountName) problems.push(`${where(w)}: runs as the default service account`);
    for (const c of containersOf(w)) {
      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const user = sc.runAsUser ?? pod.securityContext?.runAsUser;
      if (nonRoot !== true || user === 0) problems.push(`${where(w, c)}: runAsNonRoot is not true`);
      if ((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${where(w, c)}: seccompProfile is not RuntimeDefault`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where(w, c)}: allowPrivilegeEscalation is not false`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where(w, c)}: readOnlyRootFilesystem is not true`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where(w, c)}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${where(w, c)}: adds capabilities`);
      if (isOurs(c)) {
        const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
        if (!tmp || !pod.volumes?.some((v) => v.name === tmp.name && v.emptyDir !== undefined)) problems.push(`${where(w, c)}: needs an emptyDir on /tmp`);
      }
    }
  }
  return problems;
}
