import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DELIVERY_METRICS } from '../../apps/event-router/src/delivery/delivery-metrics';
import { loadWorkspace, ROOT } from '../compose/compose-checks';
import { imageProblems, probeProblems, resourceProblems, securityProblems } from './container-checks';
import { environmentProblems, gatewayAuthProblems, referenceProblems, scrapeProblems } from './environment-checks';
import { cnpgExternal, findKubectl, kustomizeMajor, mergeExternal, render, workloads, type External, type K8sObject } from './objects';
import { cnpgProblems, kedaProblems, natsValuesProblems, secretKeysFromDocs, type NatsValues } from './production-checks';
import { customResourceValidators, schemaProblems, validateWithKubernetesModels } from './schema-checks';
import {
  availabilityProblems, networkProblems, policySelectionProblems, releaseProblems, selectorProblems, serviceHostProblems,
} from './topology-checks';
import { SERVICES } from '../../tools/services';

/** Every service but the MCP server (a client of the gateway) reads the common settings and NATS' password. */
const SERVICES_ON_NATS = SERVICES.filter((s) => s.name !== 'mcp-server').length;

const ws = loadWorkspace();
const kubectl = findKubectl();
const deployDocs = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
const routerMetrics = Object.values(DELIVERY_METRICS);
const natsValues = parse(readFileSync(path.join(ROOT, 'k8s', 'overlays', 'prod', 'nats-values.yaml'), 'utf8')) as NatsValues;

/**
 * What each overlay relies on without rendering it. prod: the CloudNativePG Cluster's Secret,
 * pods and Services; the NATS Helm release `nats` (its pods carry the chart's labels); the Secret
 * `odt-secrets`, with the keys of the command in docs/deploy.md that creates it.
 */
const OVERLAYS: Record<string, { external: (objects: K8sObject[]) => External; pinnedImages: boolean }> = {
  dev: { external: () => mergeExternal(), pinnedImages: false },
  prod: {
    external: (objects) => mergeExternal(
      cnpgExternal(objects),
      { pods: [{ 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'nats' }], services: ['nats', 'nats-headless'] },
      { secrets: { 'odt-secrets': secretKeysFromDocs(deployDocs, 'odt-secrets') } },
    ),
    pinnedImages: true,
  },
};

const NO_KUBECTL =
  'kubectl (1.27 or later, with kustomize 5) is needed to render k8s/overlays: none in KUBECTL, on the PATH or in .local/bin. ' +
  'Install it (https://kubernetes.io/docs/tasks/tools/), or run .ci/provide-kubectl (Linux x86-64), which .ci/run does when it is missing.';

/** Each overlay rendered once per run (kubectl is the slow part). Without kubectl every check that needs it fails. */
const renders = new Map<string, K8sObject[]>();
function rendered(overlay: string): K8sObject[] {
  if (!kubectl) throw new Error(NO_KUBECTL);
  if (!renders.has(overlay)) renders.set(overlay, render(kubectl, overlay));
  return structuredClone(renders.get(overlay)!);
}

describe('k8s', () => {
  it('has a kubectl whose kustomize renders the overlays (5 or later)', () => {
    if (!kubectl) throw new Error(NO_KUBECTL);
    expect({ kubectl, kustomize: kustomizeMajor(kubectl) }).toEqual({ kubectl, kustomize: expect.any(Number) });
    expect(kustomizeMajor(kubectl)).toBeGreaterThanOrEqual(5);
  });

  it('has schemas for the custom resources it uses', () => {
    expect(Object.keys(customResourceValidators()).sort()).toEqual(['keda.sh/v1alpha1 ScaledObject', 'postgresql.cnpg.io/v1 Cluster']);
  });

  it('gives the NATS Helm chart a 3-node JetStream cluster whose password Secret the docs create', () => {
    const external = mergeExternal({ secrets: { 'odt-secrets': secretKeysFromDocs(deployDocs, 'odt-secrets') } });
    expect(natsValuesProblems(natsValues, [], external, 3)).toEqual([]);
  });
});

describe.each(Object.keys(OVERLAYS))('k8s/overlays/%s', (overlay) => {
  describe('rendered by kubectl kustomize', () => {
    let objects: K8sObject[];
    let external: External;

    beforeAll(() => {
      objects = rendered(overlay);
      external = OVERLAYS[overlay].external(objects);
    });

    it('renders every app under apps/ as a Deployment, and the migration Job', () => {
      const deployments = workloads(objects).filter((w) => w.object.kind === 'Deployment').map((w) => w.object.metadata.name);
      expect(deployments).toEqual(expect.arrayContaining(ws.apps));
      expect(workloads(objects).some((w) => w.object.kind === 'Job')).toBe(true);
      expect(new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace))).toEqual(new Set([overlay === 'dev' ? 'odt-dev' : 'odt']));
    });

    it('validates against the Kubernetes schemas (kubernetes-models) and ours for CloudNativePG and KEDA', () => {
      expect(schemaProblems(objects, validateWithKubernetesModels(objects), customResourceValidators())).toEqual([]);
    });

    it('gives every long-running container startup, readiness (/readyz) and liveness (/healthz) probes', () => {
      expect(probeProblems(objects)).toEqual([]);
    });

    it('sets CPU and memory requests and limits on every container', () => {
      expect(resourceProblems(objects)).toEqual([]);
    });

    it('pins every image to a tag other than latest', () => {
      expect(imageProblems(objects)).toEqual([]);
    });

    it('runs every pod non-root, read-only, without capabilities, escalation or service account token', () => {
      expect(securityProblems(objects)).toEqual([]);
    });

    it('selects its own pods: workload selectors, Services and disruption budgets', () => {
      expect(selectorProblems(objects, external)).toEqual([]);
    });

    it('has a disruption budget and an autoscaler for every Deployment of 2 or more replicas', () => {
      expect(availabilityProblems(objects)).toEqual([]);
    });

    it('gives each app only variables its config schema knows, and the ones it needs', () => {
      expect(environmentProblems(objects, ws, external)).toEqual([]);
    });

    it('configures the gateway\'s authentication, since it listens on 0.0.0.0', () => {
      expect(gatewayAuthProblems(objects, ws, external)).toEqual([]);
    });

    it('refers only to ConfigMaps, Secrets (and keys), volumes and ServiceAccounts that exist', () => {
      expect(referenceProblems(objects, external)).toEqual([]);
    });

    it('connects to NATS through a Service of the namespace', () => {
      expect(serviceHostProblems(objects, external)).toEqual([]);
    });

    it('has Prometheus scrape /metrics on each service\'s PORT', () => {
      expect(scrapeProblems(objects, external)).toEqual([]);
    });

    it('runs the migration once per release version', () => {
      expect(releaseProblems(objects, OVERLAYS[overlay].pinnedImages)).toEqual([]);
    });

    it('lets only the gateway be reached from outside, and the services reach DNS, NATS and Postgres', () => {
      expect(networkProblems(objects, ws)).toEqual([]);
      expect(policySelectionProblems(objects, external)).toEqual([]);
    });

    if (overlay === 'dev') {
      it('runs one replica of everything, with Postgres and NATS in the namespace', () => {
        expect(workloads(objects).filter((w) => w.object.kind !== 'Job').map((w) => [w.object.metadata.name, w.replicas]).filter(([, n]) => n !== 1)).toEqual([]);
        expect(workloads(objects).filter((w) => w.object.kind === 'StatefulSet').map((w) => w.object.metadata.name).sort()).toEqual(['nats', 'postgres']);
        const nats = workloads(objects).find((w) => w.object.metadata.name === 'nats');
        expect(nats?.template.spec.containers[0].args).toContain('--jetstream');
      });
    }

    if (overlay === 'prod') {
      it('runs 2 or more replicas of every service', () => {
        expect(workloads(objects).filter((w) => w.object.kind === 'Deployment' && w.replicas < 2).map((w) => w.object.metadata.name)).toEqual([]);
      });

      it('reads DATABASE_URL from a 3-instance CloudNativePG Cluster', () => {
        expect(cnpgProblems(objects, ws, 3)).toEqual([]);
      });

      it('scales the event router with KEDA on its endpoints\' backlog, read from a Prometheus that may scrape it', () => {
        expect(kedaProblems(objects, routerMetrics)).toEqual([]);
      });

      it('installs NATS as a 3-node JetStream cluster that the services can log in to', () => {
        expect(external.secrets['odt-secrets']).toEqual(expect.arrayContaining(['query-token-secret', 'nats-password']));
        expect(natsValuesProblems(natsValues, objects, external, 3)).toEqual([]);
      });
    }
  });
});

/** The checks above are only worth something if broken manifests fail them. */
describe('the k8s checks', () => {
  let prod: K8sObject[];
  let dev: K8sObject[];
  const copy = (objects: K8sObject[]) => structuredClone(objects);
  const find = (objects: K8sObject[], kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(`${name}-`)));
    if (!found) throw new Error(`no ${kind}/${name}`);
    return found;
  };
  const app = (objects: K8sObject[], name: string) => find(objects, 'Deployment', name).spec.template.spec.containers[0];
  const prodExternal = (objects: K8sObject[]) => OVERLAYS.prod.external(objects);

  beforeAll(() => {
    prod = rendered('prod');
    dev = rendered('dev');
  });

  it('fail on what the Kubernetes schemas reject', () => {
    const o = copy(prod);
    app(o, 'gateway').ports[0].containerPort = '8080';
    find(o, 'Service', 'gateway').spec.ports[0].port = 'http';
    const problems = schemaProblems(o, validateWithKubernetesModels(o), customResourceValidators());
    expect(problems.some((p) => p.startsWith('Deployment/gateway:') && p.includes('containerPort must be integer'))).toBe(true);
    expect(problems.some((p) => p.startsWith('Service/gateway:'))).toBe(true);
  });

  it('fail on a CloudNativePG Cluster or ScaledObject that their schemas reject, and on a kind without a schema', () => {
    const o = copy(prod);
    find(o, 'Cluster', 'odt-postgres').spec.postgresql.parameters.max_connections = 400;
    find(o, 'Cluster', 'odt-postgres').spec.instance = 3;
    find(o, 'ScaledObject', 'event-router').spec.triggers[0].metadata.threshold = 1000;
    delete find(o, 'ScaledObject', 'event-router').spec.triggers[0].metadata.query;
    o.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    const problems = schemaProblems(o, validateWithKubernetesModels(o), customResourceValidators());
    expect(problems).toEqual(expect.arrayContaining([
      'Cluster/odt-postgres: /spec/postgresql/parameters/max_connections must be string',
      'Cluster/odt-postgres: /spec must NOT have additional properties',
      'ScaledObject/event-router: /spec/triggers/0/metadata/threshold must be string',
      'ScaledObject/event-router: /spec/triggers/0/metadata must have required property \'query\'',
      'Widget/w: no schema for example.com/v1 Widget',
    ]));
  });

  it('fail on a missing probe, or a liveness probe that is not /healthz', () => {
    const o = copy(dev);
    delete app(o, 'twins-service').startupProbe;
    app(o, 'models-service').livenessProbe.httpGet.path = '/readyz';
    find(o, 'StatefulSet', 'nats').spec.template.spec.containers[0].livenessProbe.httpGet.path = '/varz';
    expect(probeProblems(o)).toEqual([
      'Deployment/models-service container app: livenessProbe asks /readyz, not /healthz',
      'Deployment/models-service container app: livenessProbe must be GET /healthz',
      'Deployment/twins-service container app: has no startupProbe',
      'StatefulSet/nats container nats: livenessProbe asks /varz, not /healthz',
    ]);
  });

  it('fail on missing requests or limits', () => {
    const o = copy(dev);
    delete app(o, 'query-service').resources.limits.memory;
    delete find(o, 'Job', 'odt-migrate').spec.template.spec.containers[0].resources.requests;
    expect(resourceProblems(o)).toEqual([
      'Deployment/query-service container app: no memory limits',
      'Job/odt-migrate-v0.1.0 container app: no cpu requests',
      'Job/odt-migrate-v0.1.0 container app: no memory requests',
    ]);
  });

  it('fail on latest or untagged images', () => {
    const o = copy(prod);
    app(o, 'gateway').image = 'registry.example.com/open-digital-twins';
    app(o, 'twins-service').image = 'registry.example.com:5000/open-digital-twins:latest';
    expect(imageProblems(o)).toHaveLength(2);
  });

  it('fail on root, escalation, a writable root, kept capabilities, a mounted token, no /tmp', () => {
    const o = copy(prod);
    const pod = find(o, 'Deployment', 'event-router').spec.template.spec;
    pod.securityContext.runAsNonRoot = false;
    pod.automountServiceAccountToken = true;
    pod.containers[0].securityContext = { readOnlyRootFilesystem: false, capabilities: { add: ['NET_ADMIN'] } };
    pod.containers[0].volumeMounts = [];
    expect(securityProblems(o)).toEqual([
      'Deployment/event-router: mounts a service account token',
      'Deployment/event-router container app: runAsNonRoot is not true',
      'Deployment/event-router container app: allowPrivilegeEscalation is not false',
      'Deployment/event-router container app: readOnlyRootFilesystem is not true',
      'Deployment/event-router container app: capabilities do not drop ALL',
      'Deployment/event-router container app: adds capabilities',
      'Deployment/event-router container app: needs an emptyDir on /tmp',
    ]);
  });

  it('fail on a selector that misses its pods, a Service or a budget that selects nothing', () => {
    const o = copy(prod);
    find(o, 'Deployment', 'gateway').spec.selector.matchLabels['app.kubernetes.io/name'] = 'gw';
    find(o, 'Service', 'query-service').spec.selector = { 'app.kubernetes.io/name': 'query' };
    find(o, 'PodDisruptionBudget', 'twins-service').spec.selector.matchLabels = { 'app.kubernetes.io/name': 'twins' };
    expect(selectorProblems(o, prodExternal(o))).toEqual([
      'Deployment/gateway: its selector does not match its pod template\'s labels',
      'Service/query-service: selects no pods',
      'PodDisruptionBudget/twins-service: selects no pods',
    ]);
  });

  it('fail on 2 replicas without a budget or autoscaler, or with two autoscalers', () => {
    const o = copy(prod).filter((x) => !(x.kind === 'PodDisruptionBudget' && x.metadata.name === 'models-service') && !(x.kind === 'HorizontalPodAutoscaler' && x.metadata.name === 'models-service'));
    const hpa = structuredClone(find(o, 'HorizontalPodAutoscaler', 'twins-service'));
    hpa.metadata.name = 'event-router';
    hpa.spec.scaleTargetRef.name = 'event-router';
    o.push(hpa);
    expect(availabilityProblems(o)).toEqual([
      'Deployment/event-router: more than one autoscaler (HorizontalPodAutoscaler/event-router, ScaledObject/event-router)',
      'Deployment/models-service: 2 replicas and no HorizontalPodAutoscaler or ScaledObject',
      'Deployment/models-service: 2 replicas and no PodDisruptionBudget',
    ]);
  });

  it('fail on a variable the app does not know, or one of another app', () => {
    const o = copy(dev);
    app(o, 'gateway').env.push({ name: 'NATS_URI', value: 'nats://nats:4222' });
    app(o, 'twins-service').env.push({ name: 'QUERY_TIMEOUT_MS', value: '100' });
    find(o, 'ConfigMap', 'odt-common').data!.LOG_LEVEL = 'verbose';
    const problems = environmentProblems(o, ws, mergeExternal());
    expect(problems).toEqual(expect.arrayContaining([
      'Deployment/gateway container app: NATS_URI (from env) is not a variable of gateway\'s config schema',
      'Deployment/twins-service container app: QUERY_TIMEOUT_MS (from env) is not a variable of twins-service\'s config schema',
    ]));
    expect(problems.filter((p) => p.endsWith('LOG_LEVEL: Invalid enum value. Expected \'fatal\' | \'error\' | \'warn\' | \'info\' | \'debug\' | \'trace\' | \'silent\', received \'verbose\''))).toHaveLength(SERVICES_ON_NATS);
  });

  it('fail when a service lacks DATABASE_URL or listens on another port than it declares', () => {
    const o = copy(dev);
    app(o, 'relationships-service').env = app(o, 'relationships-service').env.filter((e: { name: string }) => e.name !== 'DATABASE_URL');
    app(o, 'query-service').env.find((e: { name: string }) => e.name === 'PORT').value = '9999';
    expect(environmentProblems(o, ws, mergeExternal())).toEqual([
      'Deployment/query-service container app: its port named http (8105) is not its PORT (9999)',
      'Deployment/relationships-service container app: DATABASE_URL is not set',
    ]);
  });

  it('fail when the gateway listens on 0.0.0.0 without authentication', () => {
    const o = copy(prod);
    delete find(o, 'ConfigMap', 'odt-gateway').data!.AUTH_OIDC_ISSUER;
    expect(gatewayAuthProblems(o, ws, prodExternal(o))).toHaveLength(1);
  });

  it('fail on a reference to a missing ConfigMap, Secret, key or ServiceAccount', () => {
    const o = copy(prod);
    app(o, 'query-service').env.find((e: { name: string }) => e.name === 'QUERY_TOKEN_SECRET').valueFrom.secretKeyRef.key = 'query-token';
    app(o, 'twins-service').envFrom[0].configMapRef.name = 'odt-commons';
    find(o, 'Deployment', 'models-service').spec.template.spec.serviceAccountName = 'models';
    expect(referenceProblems(o, prodExternal(o))).toEqual([
      'Deployment/models-service: ServiceAccount models does not exist',
      'Deployment/query-service container app: QUERY_TOKEN_SECRET: Secret odt-secrets has no key query-token',
      'Deployment/twins-service container app: envFrom ConfigMap odt-commons does not exist',
    ]);
  });

  it('fail when the docs no longer create a Secret key the manifests read', () => {
    const o = copy(prod);
    const external = mergeExternal(cnpgExternal(o), { secrets: { 'odt-secrets': secretKeysFromDocs(deployDocs.replace('--from-literal=nats-password=', '--from-literal=nats-pass='), 'odt-secrets') } });
    expect(referenceProblems(o, external)).toHaveLength(SERVICES_ON_NATS);
  });

  it('fail on a wrong or missing Prometheus annotation', () => {
    const o = copy(dev);
    find(o, 'Deployment', 'event-router').spec.template.metadata.annotations['prometheus.io/port'] = '8080';
    delete find(o, 'Deployment', 'gateway').spec.template.metadata.annotations['prometheus.io/scrape'];
    expect(scrapeProblems(o, mergeExternal())).toEqual([
      'Deployment/event-router: prometheus.io/port 8080 is not its PORT 8104',
      'Deployment/gateway: prometheus.io/scrape is not "true"',
    ]);
  });

  it('fail when the migration Job is not named after the release, or the image is another version', () => {
    const o = copy(prod);
    find(o, 'Job', 'odt-migrate').metadata.name = 'odt-migrate';
    app(o, 'gateway').image = 'registry.example.com/open-digital-twins:0.0.9';
    expect(releaseProblems(o, true)).toEqual([
      'Job/odt-migrate: its name does not end in -v0.1.0, so a new release would not run it',
      'Deployment/gateway container app: image registry.example.com/open-digital-twins:0.0.9 is not the release 0.1.0',
    ]);
  });

  it('fail when a service is open to anyone, when ingress is not denied by default, or when a service cannot reach NATS', () => {
    const o = copy(prod).filter((x) => x.metadata.name !== 'default-deny-ingress');
    find(o, 'NetworkPolicy', 'metrics-ingress').spec.ingress[0].from = [];
    find(o, 'NetworkPolicy', 'services-egress').spec.egress[1].ports = [{ protocol: 'TCP', port: 5432 }];
    const problems = networkProblems(o, ws);
    expect(problems).toEqual(expect.arrayContaining([
      'no NetworkPolicy denies ingress to every pod by default',
      'Deployment/twins-service: is reachable from anywhere (open: [8102])',
      'Deployment/twins-service: cannot reach NATS on 4222',
    ]));
    expect(problems).not.toContain('Deployment/event-router: cannot reach NATS on 4222');
  });

  it('fail when KEDA reads a metric the router does not expose, another namespace\'s series, a Prometheus that cannot scrape the router, or one consumer\'s lag', () => {
    const o = copy(prod);
    const scaled = find(o, 'ScaledObject', 'event-router');
    scaled.spec.triggers[0].metadata.serverAddress = 'http://prometheus.observability.svc:9090';
    scaled.spec.triggers[0].metadata.query = 'sum(event_router_lag{service="event-router",namespace="odt"}) + sum(event_router_backlog{namespace="odt-dev"})';
    scaled.spec.triggers.push({ type: 'nats-jetstream', metadata: { natsServerMonitoringEndpoint: 'nats-headless.odt.svc:8222', stream: 'DT_EVENTS', consumer: 'event-router', lagThreshold: '1000' } });
    expect(kedaProblems(o, routerMetrics)).toEqual([
      'ScaledObject/event-router: a nats-jetstream trigger watches the one consumer event-router; the router\'s backlog is in its endpoints\' consumers',
      'ScaledObject/event-router: serverAddress is in namespace observability, from which no NetworkPolicy lets Prometheus scrape the event router',
      'ScaledObject/event-router: the query reads event_router_lag, which the event router does not expose',
      'ScaledObject/event-router: the query reads event_router_backlog without service="event-router"',
      'ScaledObject/event-router: the query reads event_router_backlog of namespace odt-dev, the objects are in odt',
    ]);
    scaled.spec.triggers = [{ type: 'prometheus', metadata: { serverAddress: 'prometheus:9090', query: 'vector(8)', threshold: '1' } }];
    expect(kedaProblems(o, routerMetrics)).toEqual([
      'ScaledObject/event-router: serverAddress prometheus:9090 is not http://<service>.<namespace>.svc[:port]',
      'ScaledObject/event-router: the query selects no metric',
    ]);
  });

  it('fail when a database user reads DATABASE_URL elsewhere than CloudNativePG\'s Secret, or Postgres has one instance', () => {
    const o = copy(prod);
    find(o, 'Cluster', 'odt-postgres').spec.instances = 1;
    app(o, 'twins-service').env.find((e: { name: string }) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.key = 'jdbc-uri';
    expect(cnpgProblems(o, ws, 3)).toEqual([
      'Cluster/odt-postgres: 1 instances, fewer than 3',
      'Deployment/twins-service container app: DATABASE_URL must come from Secret odt-postgres-app, key uri (got odt-postgres-app, key jdbc-uri)',
    ]);
  });

  it('fail on a NATS release that is no cluster, keeps JetStream in memory, or takes another password', () => {
    const values = structuredClone(natsValues);
    values.config!.cluster!.replicas = 1;
    values.config!.jetstream!.fileStore!.enabled = false;
    values.container!.env!.NATS_PASSWORD = { valueFrom: { secretKeyRef: { name: 'nats-auth', key: 'password' } } };
    const problems = natsValuesProblems(values, prod, prodExternal(prod), 3);
    expect(problems).toEqual(expect.arrayContaining([
      'config.cluster: a cluster of 3 is expected',
      'config.jetstream.fileStore: file storage on a persistent volume (pvc.enabled, pvc.size) is expected',
      'the NATS password\'s Secret nats-auth (key password) is not provided',
    ]));
  });
});
