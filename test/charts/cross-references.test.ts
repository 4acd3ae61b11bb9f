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
} from './support/k8s-types.js';
import { loadManifests, mutate, type Manifest } from './support/manifests.js';

const manifests = loadManifests();
const container = (d: Deployment) => d.spec.template.spec.containers[0]!;

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
          container(d).livenessProbe!.httpGet!.port = 4201;
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
          container(d).envFrom = [{ configMapRef: { name: 'bird-config' } }];
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

  it.each(cases)('%s', (_, broken, expected) => {
    expect(crossReferenceProblems(broken())).toContainEqual(expect.stringMatching(expected));
  });
});
