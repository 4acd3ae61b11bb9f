import { Chart, Duration, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { WebService, type WebServiceProps } from '../../charts/constructs/web-service.js';
import { type Bytes, mebibytes } from '../../charts/quantities.js';
import type {
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  KubeObject,
  NetworkPolicy,
  PodDisruptionBudget,
  Service,
} from '../support/k8s-types.js';
import { REQUIRED_WEB_SERVICE_PROPS } from './support/web-service-props.js';

/**
 * Synthesizes one WebService with the required props and `props` (plus whatever `more` adds) in a
 * chart of namespace `test`.
 */
function synth(
  props: Partial<WebServiceProps> = {},
  more?: (service: WebService, chart: Chart) => void,
) {
  const chart = new Chart(Testing.app(), 'test', {
    namespace: 'test',
    disableResourceNameHashes: true,
  });
  const service = new WebService(chart, 'api', { ...REQUIRED_WEB_SERVICE_PROPS, ...props });
  more?.(service, chart);
  return Testing.synth(chart) as KubeObject[];
}

function find<T extends KubeObject>(objects: KubeObject[], kind: string, name = 'api'): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as T;
}

const SELECTOR = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'aviary' };

describe('WebService with default props', () => {
  const objects = synth();
  const deployment = find<Deployment>(objects, 'Deployment');
  const container = deployment.spec.template.spec.containers[0]!;

  it('renders the same objects as last time', () => {
    expect(objects).toMatchSnapshot();
  });

  it('creates one of each object, all named after the service', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/api',
      'ConfigMap/api',
      'Deployment/api',
      'Service/api',
      'HorizontalPodAutoscaler/api',
      'PodDisruptionBudget/api',
    ]);
  });

  it('selects pods by name and part-of only, with no hash-bearing label anywhere', () => {
    expect(deployment.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(deployment.spec.template.metadata?.labels).toMatchObject(SELECTOR);
    expect(find<Service>(objects, 'Service').spec.selector).toEqual(SELECTOR);
    expect(find<PodDisruptionBudget>(objects, 'PodDisruptionBudget').spec.selector).toEqual({
      matchLabels: SELECTOR,
    });
    expect(JSON.stringify(objects)).not.toMatch(/cdk8s\.io|metadata\.addr/);
  });

  it('serves port 80 on the named container port, and probes that port', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(find<Service>(objects, 'Service').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('pins the image to the given registry and tag, in the repository aviary-<name>', () => {
    expect(container.image).toBe('ghcr.io/aviary-dev/aviary-api:0.1.0');
  });

  it('leaves replicas to a 2–10 autoscaler that a drain never blocks', () => {
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = find<HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(find<PodDisruptionBudget>(objects, 'PodDisruptionBudget').spec).toMatchObject({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  it('configures the shutdown and gives the kubelet time for it', () => {
    expect(find<ConfigMap>(objects, 'ConfigMap').data).toEqual({
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '10000',
      // Half the 256Mi limit for the old space; Node would otherwise take the whole container.
      NODE_OPTIONS: '--max-semi-space-size=8 --max-old-space-size=128',
      MALLOC_ARENA_MAX: '2',
    });
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(20);
  });

  it('requests more memory than a pod uses at its busiest, and node disk for its logs', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '160Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    });
  });

  it('scales on memory by an average value the pods fall below at rest', () => {
    const hpa = find<HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics?.find((m) => m.resource?.name === 'memory')?.resource?.target).toEqual({
      type: 'AverageValue',
      averageValue: '200Mi',
    });
  });

  it('opens no network path by default', () => {
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});

describe('WebService props and wiring', () => {
  it('sets NODE_OPTIONS from nodeOptions, and leaves it out when that is empty', () => {
    const data = (nodeOptions: string) => find<ConfigMap>(synth({ nodeOptions }), 'ConfigMap').data;
    expect(data('--max-old-space-size=96')?.NODE_OPTIONS).toBe('--max-old-space-size=96');
    expect(data('')).not.toHaveProperty('NODE_OPTIONS');
  });

  it("sizes the old space by default from the container's memory limit", () => {
    const options = (memoryLimit: Bytes) =>
      find<ConfigMap>(synth({ resources: { memoryLimit } }), 'ConfigMap').data?.NODE_OPTIONS;
    expect(options(mebibytes(512))).toBe('--max-semi-space-size=8 --max-old-space-size=256');
    expect(options(mebibytes(301))).toBe('--max-semi-space-size=8 --max-old-space-size=150');
  });

  it('restarts pods when the configuration changes', () => {
    const checksum = (env: Record<string, string>) =>
      find<Deployment>(synth({ env }), 'Deployment').spec.template.metadata?.annotations?.[
        'checksum/config'
      ];
    expect(checksum({ A: '1' })).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ A: '1' })).toBe(checksum({ A: '1' }));
    expect(checksum({ A: '2' })).not.toBe(checksum({ A: '1' }));
  });

  it('allowFrom opens the server to the client, on the container port, both ways', () => {
    const objects = synth({ port: 4200 }, (api, chart) => {
      api.allowFrom(new WebService(chart, 'web', { ...REQUIRED_WEB_SERVICE_PROPS, port: 4201 }));
    });
    const ingress = find<NetworkPolicy>(objects, 'NetworkPolicy', 'api-allow-ingress');
    expect(ingress.spec).toEqual({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { ...SELECTOR, 'app.kubernetes.io/name': 'web' } } },
          ],
          ports: [{ port: 4200, protocol: 'TCP' }],
        },
      ],
    });
    const egress = find<NetworkPolicy>(objects, 'NetworkPolicy', 'web-allow-egress');
    expect(egress.spec.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: SELECTOR } }],
        ports: [{ port: 4200, protocol: 'TCP' }],
      },
    ]);
  });

  it("allowFrom opens the server to other pods with policies in the client's chart", () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'test', disableResourceNameHashes: true });
    const api = new WebService(chart, 'api', { ...REQUIRED_WEB_SERVICE_PROPS, port: 4200 });
    const jobs = new Chart(app, 'jobs', { namespace: 'test', disableResourceNameHashes: true });
    const checker = { 'app.kubernetes.io/name': 'checker' };
    api.allowFrom({ scope: jobs, name: 'checker', selector: checker });
    const objects = Testing.synth(jobs) as KubeObject[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'NetworkPolicy/checker',
      'NetworkPolicy/api-allow-checker',
    ]);
    const port = [{ port: 4200, protocol: 'TCP' }];
    expect(find<NetworkPolicy>(objects, 'NetworkPolicy', 'checker')).toMatchObject({
      metadata: { labels: checker },
      spec: {
        podSelector: { matchLabels: checker },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: SELECTOR } }], ports: port }],
      },
    });
    expect(find<NetworkPolicy>(objects, 'NetworkPolicy', 'api-allow-checker').spec).toEqual({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: checker } }], ports: port }],
    });
    // The server's own ingress policy is untouched: it opens nothing by default.
    expect((Testing.synth(chart) as KubeObject[]).map((o) => o.metadata.name)).not.toContain(
      'api-allow-ingress',
    );
    expect(() => api.allowFrom({ scope: jobs, name: 'Checker', selector: checker })).toThrowError(
      /WebService "api": invalid allowFrom\(\).name "Checker"/,
    );
  });

  it('lets namespaces in and the pods out to public addresses on 443 only', () => {
    const objects = synth({ allowedNamespaces: ['monitoring'], internetEgress: true });
    expect(find<NetworkPolicy>(objects, 'NetworkPolicy', 'api-allow-ingress').spec.ingress).toEqual(
      [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: {},
            },
          ],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ],
    );
    const [rule] = find<NetworkPolicy>(objects, 'NetworkPolicy', 'api-allow-egress').spec.egress!;
    expect(rule?.ports).toEqual([{ port: 443, protocol: 'TCP' }]);
    expect(rule?.to?.[0]?.ipBlock?.cidr).toBe('0.0.0.0/0');
    expect(rule?.to?.[0]?.ipBlock?.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
    );
  });

  it('exposes the service through a TLS Ingress when asked', () => {
    const objects = synth({
      ingress: {
        host: 'api.example.com',
        clusterIssuer: 'letsencrypt',
        controllerNamespace: 'ingress-nginx',
      },
    });
    const ingress = find<Ingress>(objects, 'Ingress');
    expect(ingress.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['api.example.com'], secretName: 'api-tls' }],
      rules: [
        {
          host: 'api.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Exact',
                backend: { service: { name: 'api', port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    });
    // cert-manager's HTTP-01 solver pods are reachable from the ingress controller only.
    expect(find<NetworkPolicy>(objects, 'NetworkPolicy', 'api-allow-acme-http01').spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8089 }],
        },
      ],
    });
  });

  it('mounts Secret files read-only and, when optional, lets pods start without them', () => {
    const deployment = find<Deployment>(
      synth({
        secretFiles: [{ secretName: 'key', mountPath: '/var/run/secrets/key', optional: true }],
      }),
      'Deployment',
    );
    expect(deployment.spec.template.spec.volumes).toContainEqual({
      name: 'secret-key',
      secret: { secretName: 'key', optional: true, defaultMode: 0o440 },
    });
    expect(deployment.spec.template.spec.containers[0]!.volumeMounts).toContainEqual({
      name: 'secret-key',
      mountPath: '/var/run/secrets/key',
      readOnly: true,
    });
  });

  it('drops the budget, and then allows a single replica, when asked', () => {
    const objects = synth({ disruptionBudget: false, replicas: { min: 1, max: 3 } });
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(find<HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler').spec.minReplicas).toBe(
      1,
    );
  });
});

describe('WebService rejects invalid props, naming the prop, the value and the fix', () => {
  const { image } = REQUIRED_WEB_SERVICE_PROPS;
  const ingress = { host: 'api.example.com', controllerNamespace: 'ingress-nginx' };
  const cases: [string, Partial<WebServiceProps>, RegExp][] = [
    [
      'min above max',
      { replicas: { min: 5, max: 3 } },
      /invalid replicas \{"min":5,"max":3\}: min must not exceed max/,
    ],
    [
      'one replica with a budget',
      { replicas: { min: 1, max: 10 } },
      /invalid replicas.min 1: use at least 2 .*disruptionBudget: false/,
    ],
    [
      'a latest tag',
      { image: { ...image, tag: 'latest' } },
      /invalid image.tag "latest": pin a release/,
    ],
    ['a malformed tag', { image: { ...image, tag: 'v1 beta' } }, /invalid image.tag "v1 beta"/],
    [
      'a registry URL',
      { image: { ...image, registry: 'https://ghcr.io/org' } },
      /invalid image.registry "https:\/\/ghcr.io\/org"/,
    ],
    [
      'an invalid name',
      { name: 'Bird' },
      /WebService "Bird": invalid name "Bird": start with a letter/,
    ],
    ['a privileged port', { port: 80 }, /invalid port 80: use a whole number from 1024 to 65535/],
    [
      'a reserved variable',
      { env: { PORT: '1' } },
      /invalid env.PORT "1": remove it; it is derived/,
    ],
    [
      'NODE_OPTIONS as a variable',
      { env: { NODE_OPTIONS: '--inspect' } },
      /invalid env.NODE_OPTIONS "--inspect": remove it; it is derived from other props/,
    ],
    [
      'a grace period shorter than the drain',
      { terminationGracePeriod: Duration.seconds(15) },
      /invalid terminationGracePeriod "15s": exceed shutdownDelay \+ shutdownTimeout \(15s\)/,
    ],
    ['a low uid', { runAsId: 1000 }, /invalid runAsId 1000: use a whole number from 10000/],
    ['a zero CPU target', { cpuTargetUtilization: 0 }, /invalid cpuTargetUtilization 0/],
    [
      'an Ingress publishing /metrics',
      { ingress: { ...ingress, paths: ['/', '/metrics'] } },
      /invalid ingress.paths\[\] "\/metrics": use public API paths/,
    ],
    [
      'an invalid host',
      { ingress: { ...ingress, host: 'Aviary_Example' } },
      /invalid ingress.host "Aviary_Example"/,
    ],
  ];
  it.each(cases)('%s', (_, props, message) => {
    expect(() => synth(props)).toThrowError(message);
  });
});
