import { describe, expect, it } from 'vitest';
import type {
  Deployment,
  KubeObject,
  PrometheusRule,
  Service,
  ServiceMonitor,
} from '../support/k8s-types.js';
import { loadManifests, mutate, type Manifest } from '../support/manifests.js';
import { KUBERNETES_VERSIONS, SchemaValidators, closeSchema, goRegExp } from './support/schemas.js';

// Compiling the schemas is the slow part: once for the whole file.
const validators = new SchemaValidators();
const manifests = loadManifests();
type Spec = Record<string, Record<string, unknown>>;

describe.each(KUBERNETES_VERSIONS)('against Kubernetes %s and the CRDs', (version) => {
  // The first validation compiles the version's schemas, CPU-bound work that takes seconds on a
  // quiet core and several times more on a busy one: the timeout only guards against a hang.
  it('every object of dist/ validates strictly', { timeout: 120_000 }, () => {
    expect(validators.problems(manifests, version)).toEqual([]);
  });

  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'an unknown field',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) => {
          Object.assign(d.spec.template.spec.containers[0]!, { imagePullPolicyy: 'Always' });
        }),
      /^Deployment aviary\/bird .*: \/spec\/template\/spec\/containers\/0 must NOT have additional properties \(imagePullPolicyy\)$/,
    ],
    [
      'an unknown metadata field',
      () =>
        mutate<KubeObject>(manifests, 'Service', 'bird', (s) =>
          Object.assign(s.metadata, { lables: {} }),
        ),
      /\/metadata must NOT have additional properties \(lables\)/,
    ],
    [
      'a wrong type',
      () =>
        mutate<Service>(manifests, 'Service', 'bird', (s) =>
          Object.assign(s.spec.ports[0]!, { port: '80' }),
        ),
      /\/spec\/ports\/0\/port must be integer/,
    ],
    [
      'a missing required field',
      () =>
        mutate<Deployment>(manifests, 'Deployment', 'bird', (d) =>
          Reflect.deleteProperty(d.spec, 'selector'),
        ),
      /\/spec must have required property 'selector'/,
    ],
    [
      'an unknown field in a CRD object',
      () =>
        mutate<KubeObject>(manifests, 'Kustomization', 'aviary-services', (k) =>
          Object.assign(k.spec as object, { purne: true }),
        ),
      /^Kustomization flux-system\/aviary-services .*: \/spec must NOT have additional properties \(purne\)$/,
    ],
    [
      'a CRD pattern violation',
      () =>
        mutate<KubeObject>(
          manifests,
          'GitRepository',
          'aviary-services',
          (g) => ((g.spec as Spec).interval = '5 minutes' as never),
        ),
      /\/spec\/interval must match pattern/,
    ],
    [
      'an unknown field in a ServiceMonitor endpoint',
      () =>
        mutate<ServiceMonitor>(manifests, 'ServiceMonitor', 'bird', (m) =>
          Object.assign(m.spec.endpoints[0]!, { scrapeInterval: '15s' }),
        ),
      /^ServiceMonitor aviary\/bird .*: \/spec\/endpoints\/0 must NOT have additional properties \(scrapeInterval\)$/,
    ],
    [
      'a malformed duration in a PrometheusRule',
      () =>
        mutate<PrometheusRule>(manifests, 'PrometheusRule', 'aviary-alerts', (r) => {
          r.spec.groups[0]!.rules[0]!.for = '5 minutes';
        }),
      /^PrometheusRule aviary\/aviary-alerts .*: \/spec\/groups\/0\/rules\/0\/for must match pattern/,
    ],
    [
      'a kind the release does not serve',
      () =>
        mutate<KubeObject>(
          manifests,
          'PodDisruptionBudget',
          'bird',
          (p) => (p.apiVersion = 'policy/v1beta1'),
        ),
      /no schema for policy\/v1beta1\/PodDisruptionBudget/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    expect(validators.problems(broken(), version)).toContainEqual(expect.stringMatching(expected));
  });
});

describe('schema plumbing', () => {
  it('turns Go inline flags into JS flags', () => {
    const re = goRegExp('^(?i)(abort|warn)?$', 'u');
    expect(re.flags).toBe('iu');
    expect(['ABORT', 'warn', ''].every((value) => re.test(value))).toBe(true);
    expect(re.test('stop')).toBe(false);
  });

  it('compiles CRD patterns with inline flags (PrometheusRule partial_response_strategy)', () => {
    const rule = (strategy: string): Manifest => ({
      file: 'monitoring/x.k8s.yaml',
      object: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'x', namespace: 'aviary' },
        spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [] }] },
      },
    });
    expect(validators.problems([rule('Warn')], 'v1.27.0')).toEqual([]);
    expect(validators.problems([rule('ignore')], 'v1.27.0')).toEqual([
      expect.stringMatching(/partial_response_strategy must match pattern/),
    ]);
  });

  it('closes object schemas unless they preserve unknown fields', () => {
    expect(
      closeSchema({
        properties: {
          a: { properties: {} },
          b: { properties: {}, 'x-kubernetes-preserve-unknown-fields': true },
        },
        anyOf: [{ properties: { c: {} } }],
      }),
    ).toEqual({
      properties: {
        a: { properties: {}, additionalProperties: false },
        b: { properties: {}, 'x-kubernetes-preserve-unknown-fields': true },
      },
      anyOf: [{ properties: { c: {} } }],
      additionalProperties: false,
    });
  });
});
