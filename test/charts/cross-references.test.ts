import { describe, expect, it } from 'vitest';
import { crossReferenceProblems } from './support/cross-references.js';
import type {
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  NetworkPolicy,
  PodDisruptionBudget,
  Service,
  ServiceMonitor,
} from '../support/k8s-types.js';
import { loadManifests, mutate, type Manifest } from '../support/manifests.js';
import type { AnalysisTemplate, Rollout } from './support/rollout-references.js';
import { firstContainer } from './support/workloads.js';

const manifests = loadManifests();
const mutateRollout = (name: string, change: (r: Rollout) => void) => () =>
  mutate<Rollout>(manifests, 'Rollout', name, change);
const canary = (r: Rollout) => r.spec.strategy.canary!;

it('finds no dangling reference in dist/', () => {
  expect(crossReferenceProblems(manifests)).toEqual([]);
});

describe('reports', () => {
  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'a Service selector that selects no pods',
      () =>
        mutate<Service>(manifests, 'Service', 'bird', (s) => {
          s.spec.selector = { 'app.kubernetes.io/name': 'brid' };
        }),
      /^Service aviary\/bird: selector matches no Deployment's pods$/,
    ],
    [
      'a Service targetPort that is not a container port',
      () =>
        mutate<Service>(manifests, 'Service', 'bird-image', (s) => {
          s.spec.ports[0]!.targetPort = 'metrics';
        }),
      /^Service aviary\/bird-image: targetPort metrics is not a container port/,
    ],
    [
      'an autoscaler scaling a Deployment that does not exist',
      () =>
        mutate<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler', 'bird', (h) => {
          h.spec.scaleTargetRef.name = 'bird-v2';
        }),
      /scaleTargetRef Deployment bird-v2 does not exist/,
    ],
    [
      'a disruption budget selecting no pods',
      () =>
        mutate<PodDisruptionBudget>(manifests, 'PodDisruptionBudget', 'bird', (p) => {
          p.spec.selector = { matchLabels: { app: 'bird' } };
        }),
      /^PodDisruptionBudget aviary\/bird: selector must select exactly one/,
    ],
    [
      'a NetworkPolicy port that no selected pod opens',
      () =>
        mutate<NetworkPolicy>(manifests, 'NetworkPolicy', 'bird-image-allow-ingress', (p) => {
          // The Service port, not the container port: policies see traffic after the DNAT.
          p.spec.ingress![1]!.ports = [{ port: 80, protocol: 'TCP' }];
        }),
      /ingress port 80 is not open on aviary\/bird-image/,
    ],
    [
      'an egress peer selecting no pods',
      () =>
        mutate<NetworkPolicy>(manifests, 'NetworkPolicy', 'bird-allow-egress', (p) => {
          p.spec.egress![0]!.to = [
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'image' } } },
          ];
        }),
      /bird-allow-egress: an egress peer podSelector matches no pods/,
    ],
    [
      'a probe on a port number instead of the named port',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) => {
          firstContainer(d).livenessProbe!.httpGet!.port = 4201;
        }),
      /bird.livenessProbe port 4201 is not a named port/,
    ],
    [
      'a topology spread that selects other pods',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) => {
          d.spec.template.spec.topologySpreadConstraints![0]!.labelSelector = {
            matchLabels: { 'app.kubernetes.io/name': 'bird-image' },
          };
        }),
      /a topologySpreadConstraints labelSelector does not select its own pods/,
    ],
    [
      'a Deployment selector that also selects another Deployment',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) => {
          d.spec.selector = { matchLabels: { 'app.kubernetes.io/part-of': 'aviary' } };
        }),
      /Deployment aviary\/bird: spec.selector also selects the pods of aviary\/bird-image/,
    ],
    [
      'a missing ConfigMap',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) => {
          firstContainer(d).envFrom = [{ configMapRef: { name: 'bird-config' } }];
        }),
      /envFrom ConfigMap bird-config does not exist/,
    ],
    [
      'a missing PriorityClass',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) => {
          d.spec.template.spec.priorityClassName = 'high';
        }),
      /PriorityClass high does not exist/,
    ],
    [
      'an Ingress backend Service that does not exist',
      () =>
        mutate<Ingress>(manifests, 'Ingress', 'bird', (i) => {
          i.spec.rules![0]!.http!.paths[0]!.backend.service!.name = 'birds';
        }),
      /^Ingress aviary\/bird: backend Service birds does not exist$/,
    ],
    [
      'an Ingress backend port the Service lacks',
      () =>
        mutate<Ingress>(manifests, 'Ingress', 'bird', (i) => {
          i.spec.rules![0]!.http!.paths[0]!.backend.service!.port = { number: 4201 };
        }),
      /backend Service bird has no port \{"number":4201\}/,
    ],
    [
      'a ServiceMonitor selecting no Service',
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird', (m) => {
          m.spec.selector = { matchLabels: { app: 'bird' } };
        }),
      /^ServiceMonitor aviary\/bird: selector matches no Service$/,
    ],
    [
      'a ServiceMonitor looking for its Service in another namespace',
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird', (m) => {
          m.spec.namespaceSelector = { matchNames: ['monitoring'] };
        }),
      /^ServiceMonitor aviary\/bird: selector matches no Service$/,
    ],
    [
      'a ServiceMonitor selecting the Services of both services',
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird', (m) => {
          m.spec.selector = { matchLabels: { 'app.kubernetes.io/part-of': 'aviary' } };
        }),
      /^ServiceMonitor aviary\/bird: also selects Service aviary\/bird-image$/,
    ],
    [
      "a ServiceMonitor selecting another service's Service",
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird', (m) => {
          m.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'bird-image' } };
        }),
      /^ServiceMonitor aviary\/bird: does not select Service bird$/,
    ],
    [
      'a ServiceMonitor port name the Service lacks',
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird-image', (m) => {
          m.spec.endpoints[0]!.port = 'metrics';
        }),
      /^ServiceMonitor aviary\/bird-image: port metrics is not a port name of Service aviary\/bird-image$/,
    ],
    [
      'a ServiceMonitor scraping a container port number instead of the named port',
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird', (m) => {
          m.spec.endpoints[0] = { targetPort: 4201, path: '/metrics' };
        }),
      /^ServiceMonitor aviary\/bird: an endpoint scrapes no named Service port$/,
    ],
  ];

  const rolloutCases: [string, () => Manifest[], RegExp][] = [
    [
      'a Rollout taking over a Deployment that does not exist',
      mutateRollout('bird', (r) => (r.spec.workloadRef!.name = 'bird-v2')),
      /^Rollout aviary\/bird: workloadRef .*bird-v2.* is not a Deployment here$/,
    ],
    [
      "a Rollout whose selector is not its Deployment's",
      mutateRollout(
        'bird-image',
        (r) => (r.spec.selector = { matchLabels: { app: 'bird-image' } }),
      ),
      /^Rollout aviary\/bird-image: selector differs from Deployment aviary\/bird-image's$/,
    ],
    [
      'a canary Service that does not exist',
      mutateRollout('bird', (r) => (canary(r).canaryService = 'bird-preview')),
      /^Rollout aviary\/bird: canaryService bird-preview does not exist$/,
    ],
    [
      "a stable Service that selects another service's pods",
      mutateRollout('bird', (r) => (canary(r).stableService = 'bird-image')),
      /^Rollout aviary\/bird: stableService bird-image does not select the pods of aviary\/bird$/,
    ],
    [
      'an Ingress that does not route to the stable Service',
      mutateRollout('bird', (r) => (canary(r).stableService = 'bird-canary')),
      /^Rollout aviary\/bird: stableIngress bird does not route to bird-canary$/,
    ],
    [
      'an AnalysisTemplate that does not exist',
      mutateRollout('bird', (r) => (canary(r).analysis!.templates![0]!.templateName = 'errors')),
      /^Rollout aviary\/bird: AnalysisTemplate errors does not exist$/,
    ],
    [
      'an analysis arg the Rollout does not give',
      mutateRollout('bird-image', (r) => canary(r).analysis!.args!.pop()),
      /^Rollout aviary\/bird-image: gives no value for aviary-error-ratio's arg canary-hash$/,
    ],
    [
      'a query using an arg its template does not declare',
      () =>
        mutate<AnalysisTemplate>(manifests, 'AnalysisTemplate', 'aviary-latency-p99', (t) => {
          t.spec.args = t.spec.args!.filter((arg) => arg.name !== 'canary-hash');
        }),
      /^AnalysisTemplate aviary\/aviary-latency-p99: query uses undeclared args.canary-hash$/,
    ],
    [
      'an autoscaler scaling a Rollout that does not exist',
      () =>
        mutate<Rollout>(manifests, 'Rollout', 'bird', (r) => {
          r.metadata.name = 'birds';
        }),
      /^HorizontalPodAutoscaler aviary\/bird: scaleTargetRef Rollout bird does not exist$/,
    ],
    [
      "a policy letting in pods the synthetic check's do not match",
      () =>
        mutate<NetworkPolicy>(manifests, 'NetworkPolicy', 'bird-allow-bird-contract-check', (p) => {
          p.spec.ingress![0]!.from = [
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'contract-check' } } },
          ];
        }),
      /bird-allow-bird-contract-check: an ingress peer podSelector matches no pods/,
    ],
  ];

  it.each([...cases, ...rolloutCases])('%s', (_, broken, expected) => {
    expect(crossReferenceProblems(broken())).toContainEqual(expect.stringMatching(expected));
  });
});
