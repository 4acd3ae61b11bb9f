/**
 * The admission and network rules a pod meets in a namespace, applied to any pod spec: Aviary's
 * own and those add-ons create (./addons.ts). They follow the real components: Pod Security
 * Admission's `restricted` profile (k8s.io/pod-security-admission, policy/check_*.go), the
 * LimitRanger and ResourceQuota admission plugins, and NetworkPolicy semantics (an ingress
 * connection is allowed when no Ingress policy selects the pod, or one of them admits it).
 */
import type { AddOnPod } from './addons.js';
import type {
  Container,
  KubeObject,
  LimitRange,
  NetworkPolicy,
  NetworkPolicyPeer,
  PodSpec,
  Quantity,
  ResourceQuota,
  SecurityContext,
} from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { parseQuantity } from '../../../charts/quantities.js';
import { RESTRICTED_VOLUMES } from './pod-security.js';
import { selects } from './workloads.js';

/** What Pod Security Admission rejects at `restricted` (profile v1.27 and later). */
export function restrictedProfileProblems(pod: PodSpec): string[] {
  const problems: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[field]) problems.push(`${field} is set`);
  }
  for (const volume of pod.volumes ?? []) {
    const bad = Object.keys(volume).filter((k) => k !== 'name' && !RESTRICTED_VOLUMES.includes(k));
    if (bad.length > 0) problems.push(`volume ${volume.name} uses ${bad.join()}`);
  }
  const podContext: SecurityContext = pod.securityContext ?? {};
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const own: SecurityContext = container.securityContext ?? {};
    const at = `container ${container.name}`;
    if (own.privileged) problems.push(`${at} is privileged`);
    if (own.allowPrivilegeEscalation !== false) problems.push(`${at} allows privilege escalation`);
    if (!(own.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${at} does not drop ALL capabilities`);
    if ((own.capabilities?.add ?? []).some((c) => c !== 'NET_BIND_SERVICE'))
      problems.push(`${at} adds capabilities`);
    // runAsNonRoot and seccomp may come from the pod or the container; runAsUser must not be 0.
    if ((own.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
      problems.push(`${at} does not set runAsNonRoot`);
    if ((own.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${at} runs as uid 0`);
    const seccomp = own.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      problems.push(`${at} has seccomp ${seccomp}`);
    if ((container.ports ?? []).some((p) => p.hostPort)) problems.push(`${at} uses a hostPort`);
  }
  return problems;
}

type Resources = Record<string, Quantity>;

/**
 * The containers of `pod` as the LimitRanger plugin admits them into `namespace`: missing limits
 * take the range's `default`, missing requests its `defaultRequest` (or the limit, as the API
 * server's own defaulting does), and anything above `max` is rejected.
 */
export function applyLimitRanges(
  manifests: readonly Manifest[],
  namespace: string,
  pod: PodSpec,
): { containers: Container[]; problems: string[] } {
  const ranges = ofKind<LimitRange>(manifests, 'LimitRange').filter(
    (r) => r.metadata.namespace === namespace,
  );
  const problems: string[] = [];
  const containers = pod.containers.map((container) => {
    const requests: Resources = { ...(container.resources?.requests ?? {}) };
    const limits: Resources = { ...(container.resources?.limits ?? {}) };
    for (const [name, value] of Object.entries(limits)) requests[name] ??= value;
    for (const range of ranges) {
      const limit = range.spec.limits.find((l) => l.type === 'Container');
      if (!limit) continue;
      for (const [name, value] of Object.entries(limit.default ?? {})) limits[name] ??= value;
      for (const [name, value] of Object.entries(limit.defaultRequest ?? {}))
        requests[name] ??= value;
      for (const [name, max] of Object.entries(limit.max ?? {})) {
        if (limits[name] !== undefined && parseQuantity(limits[name]) > parseQuantity(max)) {
          problems.push(
            `container ${container.name}: limit ${name} ${limits[name]} exceeds the LimitRange max ${max}`,
          );
        }
      }
    }
    return { ...container, resources: { requests, limits } };
  });
  return { containers, problems };
}

/**
 * What the ResourceQuota plugin rejects: a container that leaves out a resource the quota caps,
 * and Services beyond `services.nodeports` / `services.loadbalancers`.
 */
export function quotaProblems(
  manifests: readonly Manifest[],
  namespace: string,
  containers: readonly Container[],
  services: readonly KubeObject[] = [],
): string[] {
  const problems: string[] = [];
  for (const quota of ofKind<ResourceQuota>(manifests, 'ResourceQuota').filter(
    (q) => q.metadata.namespace === namespace,
  )) {
    for (const key of Object.keys(quota.spec.hard)) {
      const match = /^(requests|limits)\.(cpu|memory|ephemeral-storage)$/.exec(key);
      if (!match) continue;
      const [, kind, resource] = match as unknown as [string, 'requests' | 'limits', string];
      for (const container of containers) {
        if (container.resources?.[kind]?.[resource] === undefined) {
          problems.push(
            `container ${container.name}: the quota caps ${key}, which it does not set`,
          );
        }
      }
    }
    const ports = (type: string) =>
      services
        .filter((s) => (s.spec as { type?: string }).type === type)
        .reduce((sum, s) => sum + ((s.spec as { ports?: unknown[] }).ports ?? []).length, 0);
    const nodePorts = ports('NodePort') + ports('LoadBalancer');
    const allowedNodePorts = Number(quota.spec.hard['services.nodeports'] ?? Infinity);
    if (nodePorts > allowedNodePorts) {
      problems.push(
        `ResourceQuota ${namespace}: services.nodeports ${allowedNodePorts} refuses ${nodePorts} node port(s)`,
      );
    }
    const balancers = ports('LoadBalancer');
    if (balancers > Number(quota.spec.hard['services.loadbalancers'] ?? Infinity)) {
      problems.push(`ResourceQuota ${namespace}: services.loadbalancers refuses a LoadBalancer`);
    }
  }
  return problems;
}

/** A pod as NetworkPolicies see it: its namespace and labels. */
export interface PodIdentity {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

function peerMatches(
  peer: NetworkPolicyPeer,
  policyNamespace: string,
  source: PodIdentity,
): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': source.namespace })
    : source.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, source.labels) : true;
  return namespaceOk && podOk;
}

/**
 * Whether `source` may open a TCP connection to `target` on `port` (a number, or the name of a
 * container port given in `namedPorts`), as NetworkPolicy semantics say.
 */
export function ingressAllowed(
  manifests: readonly Manifest[],
  target: PodIdentity,
  port: number,
  source: PodIdentity,
  namedPorts: Readonly<Record<string, number>> = {},
): boolean {
  const policies = ofKind<NetworkPolicy>(manifests, 'NetworkPolicy').filter(
    (p) =>
      p.metadata.namespace === target.namespace &&
      selects(p.spec.podSelector, { ...target.labels }) &&
      (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (policies.length === 0) return true;
  return policies.some((policy) =>
    (policy.spec.ingress ?? []).some((rule) => {
      const fromOk =
        !rule.from?.length || rule.from.some((peer) => peerMatches(peer, target.namespace, source));
      const portOk =
        !rule.ports?.length ||
        rule.ports.some(({ port: p, protocol }) => {
          if ((protocol ?? 'TCP') !== 'TCP') return false;
          if (p === undefined) return true;
          return (typeof p === 'number' ? p : namedPorts[p]) === port;
        });
      return fromOk && portOk;
    }),
  );
}

/** Every problem an add-on pod meets when created in `namespace`, under Aviary's guard rails. */
export function addOnPodProblems(
  manifests: readonly Manifest[],
  pod: AddOnPod,
  services: readonly KubeObject[],
  sources: readonly AddOnPod[],
): string[] {
  const at = `${pod.name} (${pod.namespace})`;
  const { containers, problems } = applyLimitRanges(manifests, pod.namespace, pod.spec);
  const all = [
    ...restrictedProfileProblems(pod.spec),
    ...problems,
    ...quotaProblems(manifests, pod.namespace, containers, services),
  ];
  for (const { pod: from, port } of pod.reachedFrom ?? []) {
    const source = sources.find((s) => s.name === from);
    if (!source) throw new Error(`no add-on pod ${from}`);
    if (!ingressAllowed(manifests, pod, port, source))
      all.push(`${from} may not reach it on port ${port}`);
  }
  return all.map((problem) => `${at}: ${problem}`);
}
