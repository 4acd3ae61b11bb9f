import { describe, expect, it } from 'vitest';
import type {
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  NetworkPolicy,
  PodDisruptionBudget,
  ResourceQuota,
} from '../support/k8s-types.js';
import { loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';
import { egressDestinations, ingressSources } from './support/network.js';
import { policyProblems } from './support/policy.js';
import { firstContainer, podWorkloads } from './support/workloads.js';

const manifests = loadManifests();
const deployment = (all: readonly Manifest[], name: string) =>
  ofKind<Deployment>(all, 'Deployment').find((d) => d.metadata.name === name)!;

it('dist/ meets every policy', () => {
  expect(policyProblems(manifests)).toEqual([]);
});

describe('network access is exactly what docs/contract.md#network-access allows', () => {
  it('bird is reachable from the ingress controller, Prometheus and its synthetic check, and calls birdImage', () => {
    const bird = deployment(manifests, 'bird');
    expect(ingressSources(manifests, bird)).toEqual([
      'namespace ingress-nginx → http',
      'namespace monitoring (app.kubernetes.io/name=prometheus) → http',
      'pods bird-contract-check → http',
    ]);
    expect(egressDestinations(manifests, bird)).toEqual([
      'kube-dns → 53',
      'pods bird-image → http',
    ]);
  });

  it('the synthetic check may call bird (and DNS) and nothing else', () => {
    const check = podWorkloads(manifests).find((w) => w.kind === 'CronJob')!;
    expect(ingressSources(manifests, check)).toEqual([]);
    expect(egressDestinations(manifests, check)).toEqual(['kube-dns → 53', 'pods bird → http']);
  });

  it('birdImage is reachable from bird only (and Prometheus), and calls the internet on 443', () => {
    const birdImage = deployment(manifests, 'bird-image');
    expect(ingressSources(manifests, birdImage)).toEqual([
      'namespace monitoring (app.kubernetes.io/name=prometheus) → http',
      'pods bird → http',
    ]);
    expect(egressDestinations(manifests, birdImage)).toEqual(['internet → 443', 'kube-dns → 53']);
  });

  it('sees a rule that opens birdImage to every pod of the namespace', () => {
    const broken = mutate<NetworkPolicy>(
      manifests,
      'NetworkPolicy',
      'bird-image-allow-ingress',
      (p) => {
        p.spec.ingress!.push({ from: [{ podSelector: {} }] });
      },
    );
    expect(ingressSources(broken, deployment(broken, 'bird-image'))).toContain('pods bird → any');
    expect(ingressSources(broken, deployment(broken, 'bird-image'))).toContain(
      'pods bird-image → any',
    );
  });
});

describe('reports', () => {
  const mutateBird = (change: (d: Deployment) => void) => () =>
    mutate<Deployment>(manifests, 'Deployment', 'bird', change);
  // The quota's `pods` set to `pods`, below the 44 the workloads need at their peak, and the report.
  const podQuotaBelowPeak = (pods: number): [() => Manifest[], RegExp] => [
    () =>
      mutate<ResourceQuota>(
        manifests,
        'ResourceQuota',
        'aviary',
        (q) => (q.spec.hard.pods = String(pods)),
      ),
    new RegExp(`pods ${pods} is below the 44 the workloads may need at their peak`),
  ];
  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'a container that may escalate privileges',
      mutateBird((d) => delete firstContainer(d).securityContext!.allowPrivilegeEscalation),
      /container bird allows privilege escalation/,
    ],
    [
      'a container keeping its capabilities',
      mutateBird((d) => (firstContainer(d).securityContext!.capabilities = { drop: ['NET_RAW'] })),
      /does not drop ALL capabilities/,
    ],
    [
      'a writable root filesystem',
      mutateBird((d) => (firstContainer(d).securityContext!.readOnlyRootFilesystem = false)),
      /root filesystem is writable/,
    ],
    [
      'a uid below 10000',
      mutateBird((d) => (d.spec.template.spec.securityContext!.runAsUser = 1000)),
      /runAsUser 1000 is not a numeric id/,
    ],
    [
      'a missing seccomp profile',
      mutateBird((d) => delete d.spec.template.spec.securityContext!.seccompProfile),
      /seccompProfile is undefined instead of RuntimeDefault/,
    ],
    [
      'a hostPath volume',
      mutateBird((d) =>
        d.spec.template.spec.volumes!.push({ name: 'host', hostPath: { path: '/' } }),
      ),
      /volume host uses hostPath/,
    ],
    [
      'host networking',
      mutateBird((d) => (d.spec.template.spec.hostNetwork = true)),
      /hostNetwork is set/,
    ],
    [
      'a mounted service account token',
      mutateBird((d) => delete d.spec.template.spec.automountServiceAccountToken),
      /automountServiceAccountToken is not false/,
    ],
    [
      'a CPU request other than 100m',
      mutateBird((d) => (firstContainer(d).resources!.requests!.cpu = '250m')),
      /requests cpu 250m, not 100m/,
    ],
    [
      'a missing memory limit',
      mutateBird((d) => delete firstContainer(d).resources!.limits!.memory),
      /memory request\/limit 160Mi\/undefined/,
    ],
    [
      'a readiness probe on the liveness path',
      mutateBird((d) => (firstContainer(d).readinessProbe!.httpGet!.path = '/healthz')),
      /bird.readinessProbe is \/healthz, not GET \/readyz/,
    ],
    [
      'a missing startup probe',
      mutateBird((d) => delete firstContainer(d).startupProbe),
      /bird.startupProbe is missing/,
    ],
    [
      'fixed replicas under an autoscaler',
      mutateBird((d) => (d.spec.replicas = 3)),
      /sets replicas under an autoscaler/,
    ],
    [
      'a rollout that takes pods down first',
      mutateBird((d) => (d.spec.strategy!.rollingUpdate!.maxUnavailable = 1)),
      /rollout is not RollingUpdate with maxUnavailable 0/,
    ],
    [
      'a grace period shorter than the drain',
      mutateBird((d) => (d.spec.template.spec.terminationGracePeriodSeconds = 15)),
      /terminationGracePeriodSeconds 15 does not exceed shutdown delay 5000 ms \+ timeout 10000 ms/,
    ],
    [
      'a mandatory Secret volume',
      () =>
        mutate<Deployment>(
          manifests,
          'Deployment',
          'bird-image',
          (d) => delete d.spec.template.spec.volumes![1]!.secret!.optional,
        ),
      /Secret volume secret-unsplash is not optional/,
    ],
    [
      'an image on latest',
      mutateBird((d) => (firstContainer(d).image = 'ghcr.io/aviary-dev/aviary-bird:latest')),
      /image ghcr.io\/aviary-dev\/aviary-bird:latest is not pinned/,
    ],
    [
      'a shutdown delay the grace period does not cover',
      () =>
        mutate<ConfigMap>(
          manifests,
          'ConfigMap',
          'bird',
          (c) => (c.data!.SHUTDOWN_TIMEOUT_MS = '30000'),
        ),
      /terminationGracePeriodSeconds 20 does not exceed shutdown delay 5000 ms \+ timeout 30000 ms/,
    ],
    [
      'an autoscaler minimum of one',
      () =>
        mutate<HorizontalPodAutoscaler>(
          manifests,
          'HorizontalPodAutoscaler',
          'bird',
          (h) => (h.spec.minReplicas = 1),
        ),
      /autoscaler bounds 1..10/,
    ],
    [
      'a disruption budget that blocks drains at the autoscaler minimum',
      () =>
        mutate<PodDisruptionBudget>(manifests, 'PodDisruptionBudget', 'bird', (p) => {
          delete p.spec.maxUnavailable;
          p.spec.minAvailable = '100%';
        }),
      /its PodDisruptionBudget allows 0 evictions at 2 replicas/,
    ],
    ['a quota that caps the autoscalers', ...podQuotaBelowPeak(12)],
    [
      // Issue 19, 5c: at takeover each Deployment keeps its 10 pods until its Rollout's 10 are
      // healthy (argo-rollouts v1.9.1 rollout/sync.go, scaleDown onsuccess): 40, one check,
      // cert-manager's solver and each Rollout's contract check Job: 44. The quota of the dist/
      // before it allowed 40.
      'a quota that fits a canary but not the takeover at the maximum and the solver',
      ...podQuotaBelowPeak(40),
    ],
    [
      // Issue 19, 5a: Argo Rollouts creates each Rollout's contract check Job in the namespace
      // (argo-rollouts v1.9.1 metricproviders/job/job.go): a quota that forgets them refuses
      // the very check that lets a canary at quiet hours be promoted.
      "a quota that fits everything but the canary analyses' Jobs",
      ...podQuotaBelowPeak(43),
    ],
    [
      'a namespace without default deny',
      () =>
        mutate<NetworkPolicy>(
          manifests,
          'NetworkPolicy',
          'default-deny',
          (p) => (p.spec.policyTypes = ['Ingress']),
        ),
      /namespace aviary: no default-deny policy/,
    ],
    [
      'DNS over UDP only',
      () =>
        mutate<NetworkPolicy>(manifests, 'NetworkPolicy', 'allow-dns', (p) =>
          p.spec.egress![0]!.ports!.pop(),
        ),
      /pods may not reach kube-dns on UDP and TCP 53/,
    ],
    [
      'birdImage open to the whole cluster',
      () =>
        mutate<NetworkPolicy>(manifests, 'NetworkPolicy', 'bird-image-allow-ingress', (p) =>
          p.spec.ingress!.push({}),
        ),
      /Deployment aviary\/bird-image: accepts connections from anywhere → any/,
    ],
    [
      'internet egress to private ranges',
      () =>
        mutate<NetworkPolicy>(manifests, 'NetworkPolicy', 'bird-image-allow-egress', (p) => {
          p.spec.egress![0]!.to![0]!.ipBlock!.except = [];
        }),
      /bird-image: may connect to ipBlock 0.0.0.0\/0 → 443/,
    ],
    [
      'a namespace that does not enforce restricted',
      () =>
        mutate<KubeObject>(manifests, 'Namespace', 'aviary', (n) => {
          n.metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline';
        }),
      /Namespace aviary: pod-security enforce is not restricted/,
    ],
    [
      'a committed Secret',
      () => [
        ...manifests,
        {
          file: '0003-secret.k8s.yaml',
          object: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'unsplash', namespace: 'aviary' },
          },
        },
      ],
      /Secret aviary\/unsplash .*: a Secret must never be committed/,
    ],
    [
      'a namespaced object without a namespace',
      () => mutate<KubeObject>(manifests, 'Service', 'bird', (s) => delete s.metadata.namespace),
      /Service bird .*: has no namespace/,
    ],
  ];

  it.each(cases)('%s', (_, broken, expected) => {
    expect(policyProblems(broken())).toContainEqual(expect.stringMatching(expected));
  });
});
