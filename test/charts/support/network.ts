import { monitoredServices, peerDeployments } from './cross-references.js';
import type {
  Deployment,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  ServiceMonitor,
} from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { isEmptySelector, podLabels, ref, selectedDeployments, selects } from './workloads.js';

/** Address ranges that are not "the internet": private, carrier-grade NAT, link-local, loopback. */
const NON_PUBLIC_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

/**
 * Namespace-wide rules: every namespace with workloads denies all ingress and egress by default
 * and lets every pod resolve names through kube-dns (UDP and TCP 53).
 */
export function baselineNetworkProblems(manifests: readonly Manifest[]): string[] {
  const policies = ofKind<NetworkPolicy>(manifests, 'NetworkPolicy');
  const namespaces = new Set(
    ofKind<Deployment>(manifests, 'Deployment').map((d) => d.metadata.namespace),
  );
  return [...namespaces].flatMap((namespace) => {
    const own = policies.filter(
      (p) => p.metadata.namespace === namespace && isEmptySelector(p.spec.podSelector),
    );
    const problems: string[] = [];
    const denyAll = own.some(
      (p) =>
        ['Ingress', 'Egress'].every((type) => p.spec.policyTypes?.includes(type)) &&
        (p.spec.ingress ?? []).length === 0 &&
        (p.spec.egress ?? []).length === 0,
    );
    if (!denyAll)
      problems.push(`namespace ${namespace}: no default-deny policy for ingress and egress`);
    const dns = own.some((p) =>
      (p.spec.egress ?? []).some(
        (rule) =>
          (rule.to ?? []).some(
            (peer) =>
              selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': 'kube-system' }) &&
              selects(peer.podSelector, { 'k8s-app': 'kube-dns' }),
          ) &&
          ['UDP', 'TCP'].every((protocol) =>
            (rule.ports ?? []).some(
              (port) => port.port === 53 && (port.protocol ?? 'TCP') === protocol,
            ),
          ),
      ),
    );
    if (!dns)
      problems.push(`namespace ${namespace}: pods may not reach kube-dns on UDP and TCP 53`);
    return problems;
  });
}

function policiesFor(manifests: readonly Manifest[], deployment: Deployment) {
  return ofKind<NetworkPolicy>(manifests, 'NetworkPolicy').filter(
    (p) =>
      p.metadata.namespace === deployment.metadata.namespace &&
      selects(p.spec.podSelector, podLabels(deployment)),
  );
}

/** A port as its container port name where there is one, so `4200` and `http` read the same. */
function portNames(
  target: Deployment | undefined,
  ports: NetworkPolicyPort[] | undefined,
): string[] {
  if (!ports || ports.length === 0) return ['any'];
  return ports.map(({ port }) => {
    const named = target?.spec.template.spec.containers
      .flatMap((c) => c.ports ?? [])
      .find((p) => p.containerPort === port || p.name === port);
    return named?.name ?? String(port ?? 'any');
  });
}

function describePeer(
  manifests: readonly Manifest[],
  namespace: string | undefined,
  peer: NetworkPolicyPeer,
): string[] {
  if (peer.ipBlock) {
    const except = new Set(peer.ipBlock.except ?? []);
    const publicOnly =
      peer.ipBlock.cidr === '0.0.0.0/0' && NON_PUBLIC_RANGES.every((r) => except.has(r));
    return [publicOnly ? 'internet' : `ipBlock ${peer.ipBlock.cidr}`];
  }
  if (peer.namespaceSelector) {
    const name = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
    const labels = Object.entries(peer.podSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
    const pods = isEmptySelector(peer.podSelector ?? {})
      ? ''
      : labels.length > 0
        ? ` (${labels.join(', ')})`
        : ' (some pods)';
    return [name ? `namespace ${name}${pods}` : 'namespaces by label'];
  }
  return (peerDeployments(manifests, namespace, peer) ?? []).map((d) => `pods ${d.metadata.name}`);
}

/**
 * Who may open connections to `deployment`'s pods, e.g. `pods bird → http`; `anywhere` when a
 * rule has no `from`. With no policy selecting the pods, everything may: `unrestricted`.
 */
export function ingressSources(manifests: readonly Manifest[], deployment: Deployment): string[] {
  const policies = policiesFor(manifests, deployment).filter((p) =>
    p.spec.policyTypes?.includes('Ingress'),
  );
  if (policies.length === 0) return ['unrestricted'];
  const sources = policies.flatMap((policy) =>
    (policy.spec.ingress ?? []).flatMap((rule) => {
      const peers = rule.from?.length
        ? rule.from.flatMap((peer) => describePeer(manifests, policy.metadata.namespace, peer))
        : ['anywhere'];
      return peers.flatMap((peer) =>
        portNames(deployment, rule.ports).map((port) => `${peer} → ${port}`),
      );
    }),
  );
  return [...new Set(sources)].sort();
}

/** Where `deployment`'s pods may connect to, e.g. `internet → 443`, `pods bird-image → http`. */
export function egressDestinations(
  manifests: readonly Manifest[],
  deployment: Deployment,
): string[] {
  const policies = policiesFor(manifests, deployment).filter((p) =>
    p.spec.policyTypes?.includes('Egress'),
  );
  if (policies.length === 0) return ['unrestricted'];
  const destinations = policies.flatMap((policy) =>
    (policy.spec.egress ?? []).flatMap((rule) => {
      if (!rule.to?.length)
        return portNames(undefined, rule.ports).map((port) => `anywhere → ${port}`);
      return rule.to.flatMap((peer) => {
        const targets = peerDeployments(manifests, policy.metadata.namespace, peer);
        const label =
          peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' &&
          peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns'
            ? ['kube-dns']
            : describePeer(manifests, policy.metadata.namespace, peer);
        return label.flatMap((to) =>
          portNames(targets?.[0], rule.ports).map((port) => `${to} → ${port}`),
        );
      });
    }),
  );
  return [...new Set(destinations)].sort();
}

/** Rules no workload should have: open ingress, ipBlock ingress, internet egress beyond 443. */
export function networkHygieneProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<Deployment>(manifests, 'Deployment').flatMap((deployment) => {
    const at = `Deployment ${ref(deployment)}`;
    const problems = ingressSources(manifests, deployment)
      .filter((source) => /^(unrestricted|anywhere|ipBlock|internet)/.test(source))
      .map((source) => `${at}: accepts connections from ${source}`);
    for (const destination of egressDestinations(manifests, deployment)) {
      if (
        /^(unrestricted|anywhere|ipBlock)/.test(destination) ||
        (destination.startsWith('internet') && destination !== 'internet → 443')
      ) {
        problems.push(`${at}: may connect to ${destination}`);
      }
    }
    return problems;
  });
}

/**
 * Whether Prometheus, running in `monitoringNamespace` with `prometheusLabels`, can scrape what
 * the ServiceMonitors ask for, and nothing more: each Deployment behind a monitored Service
 * admits Prometheus's pods, and no other pod of that namespace, through exactly one ingress rule,
 * on the scraped container port only. (Policies see traffic after the Service's DNAT, so the rule
 * must name the container port, not the Service port.)
 */
export function scrapeAccessProblems(
  manifests: readonly Manifest[],
  monitoringNamespace: string,
  prometheusLabels: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'prometheus' },
): string[] {
  const fromMonitoring = (peer: NetworkPolicyPeer) =>
    selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': monitoringNamespace }) &&
    selects(peer.podSelector ?? {}, prometheusLabels) &&
    !isEmptySelector(peer.podSelector ?? {});
  // bird's pods are scraped through two Services (bird, and bird-canary during a canary): one
  // problem of theirs is reported once.
  const problems = ofKind<ServiceMonitor>(manifests, 'ServiceMonitor').flatMap((monitor) =>
    monitoredServices(manifests, monitor).flatMap((service) => {
      const { namespace } = service.metadata;
      const deployments = selectedDeployments(manifests, namespace, {
        matchLabels: service.spec.selector ?? {},
      });
      return deployments.flatMap((deployment) => {
        const at = `Deployment ${ref(deployment)}`;
        const rules = policiesFor(manifests, deployment)
          .filter((p) => p.spec.policyTypes?.includes('Ingress'))
          .flatMap((p) => p.spec.ingress ?? [])
          .filter((rule) => (rule.from ?? []).some(fromMonitoring));
        if (rules.length !== 1) {
          return [`${at}: ${rules.length} ingress rules admit namespace ${monitoringNamespace}`];
        }
        const scraped = monitor.spec.endpoints.map((endpoint) => {
          const port = service.spec.ports.find((p) => p.name === endpoint.port);
          return portNames(deployment, [{ port: port?.targetPort ?? port?.port }])[0]!;
        });
        const open = portNames(deployment, rules[0]!.ports).sort();
        return open.join() === [...new Set(scraped)].sort().join()
          ? []
          : [
              `${at}: namespace ${monitoringNamespace} may reach ${open.join(', ')}, not ${scraped.join(', ')}`,
            ];
      });
    }),
  );
  return [...new Set(problems)];
}
