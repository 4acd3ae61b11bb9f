import type {
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PodDisruptionBudget,
  Service,
  ServiceMonitor,
} from '../../support/k8s-types.js';
import { addOnPods } from './addons.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { rolloutProblems } from './rollout-references.js';
import {
  containersOf,
  exposesPort,
  isEmptySelector,
  podLabels,
  ref,
  scaleTargetOf,
  selectedDeployments,
  selects,
} from './workloads.js';

/**
 * What an API server accepts but a careful reviewer would not: references between objects that
 * point at nothing. Selectors must select the pods they are meant for, ports must exist as
 * container ports, names must resolve.
 */
export function crossReferenceProblems(manifests: readonly Manifest[]): string[] {
  return [
    ...deploymentProblems(manifests),
    ...serviceProblems(manifests),
    ...autoscalerProblems(manifests),
    ...budgetProblems(manifests),
    ...networkPolicyProblems(manifests),
    ...ingressProblems(manifests),
    ...serviceMonitorProblems(manifests),
    ...rolloutProblems(manifests),
  ];
}

function exists(manifests: readonly Manifest[], kind: string, name: string, namespace?: string) {
  return manifests.some(
    ({ object }) =>
      object.kind === kind &&
      object.metadata.name === name &&
      (namespace === undefined || object.metadata.namespace === namespace),
  );
}

function deploymentProblems(manifests: readonly Manifest[]): string[] {
  const deployments = ofKind<Deployment>(manifests, 'Deployment');
  return deployments.flatMap((d) => {
    const problems: string[] = [];
    const at = `Deployment ${ref(d)}`;
    const { namespace } = d.metadata;
    const pod = d.spec.template.spec;
    if (isEmptySelector(d.spec.selector) || !selects(d.spec.selector, podLabels(d))) {
      problems.push(`${at}: spec.selector does not select its own pod template`);
    }
    for (const other of deployments.filter((o) => o !== d && o.metadata.namespace === namespace)) {
      if (selects(d.spec.selector, podLabels(other))) {
        problems.push(`${at}: spec.selector also selects the pods of ${ref(other)}`);
      }
    }
    const terms = [
      ...(pod.topologySpreadConstraints ?? []).map(
        (t) => ['topologySpreadConstraints', t] as const,
      ),
      ...(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
        (t) => ['podAntiAffinity', t.podAffinityTerm] as const,
      ),
    ];
    for (const [field, term] of terms) {
      if (!selects(term.labelSelector, podLabels(d))) {
        problems.push(`${at}: a ${field} labelSelector does not select its own pods`);
      }
    }
    for (const container of containersOf(d)) {
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
        const port = container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
        if (port !== undefined && !(container.ports ?? []).some((p) => p.name === port)) {
          problems.push(`${at}: ${container.name}.${probe} port ${port} is not a named port`);
        }
      }
      for (const source of container.envFrom ?? []) {
        const name = source.configMapRef?.name;
        if (name && !exists(manifests, 'ConfigMap', name, namespace)) {
          problems.push(`${at}: envFrom ConfigMap ${name} does not exist`);
        }
      }
      for (const mount of container.volumeMounts ?? []) {
        if (!(pod.volumes ?? []).some((v) => v.name === mount.name)) {
          problems.push(`${at}: ${container.name} mounts undefined volume ${mount.name}`);
        }
      }
    }
    const account = pod.serviceAccountName;
    if (account && !exists(manifests, 'ServiceAccount', account, namespace)) {
      problems.push(`${at}: ServiceAccount ${account} does not exist`);
    }
    const priority = pod.priorityClassName;
    if (priority && !exists(manifests, 'PriorityClass', priority)) {
      problems.push(`${at}: PriorityClass ${priority} does not exist`);
    }
    for (const volume of pod.volumes ?? []) {
      if (
        volume.configMap &&
        !exists(manifests, 'ConfigMap', volume.configMap.name ?? '', namespace)
      ) {
        problems.push(
          `${at}: volume ${volume.name} uses missing ConfigMap ${volume.configMap.name}`,
        );
      }
    }
    return problems;
  });
}

function serviceProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<Service>(manifests, 'Service').flatMap((service) => {
    const at = `Service ${ref(service)}`;
    const selector = { matchLabels: service.spec.selector ?? {} };
    if (isEmptySelector(selector)) return [`${at}: has no selector`];
    const targets = selectedDeployments(manifests, service.metadata.namespace, selector);
    if (targets.length === 0) return [`${at}: selector matches no Deployment's pods`];
    return service.spec.ports.flatMap((port) => {
      const target = port.targetPort ?? port.port;
      return targets
        .filter((d) => !exposesPort(d, target))
        .map((d) => `${at}: targetPort ${target} is not a container port of ${ref(d)}`);
    });
  });
}

function autoscalerProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').flatMap((hpa) => {
    const target = hpa.spec.scaleTargetRef;
    return scaleTargetOf(manifests, hpa)
      ? []
      : [
          `HorizontalPodAutoscaler ${ref(hpa)}: scaleTargetRef ${target.kind} ${target.name} does not exist`,
        ];
  });
}

function budgetProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<PodDisruptionBudget>(manifests, 'PodDisruptionBudget').flatMap((pdb) =>
    isEmptySelector(pdb.spec.selector) ||
    selectedDeployments(manifests, pdb.metadata.namespace, pdb.spec.selector).length !== 1
      ? [`PodDisruptionBudget ${ref(pdb)}: selector must select exactly one Deployment's pods`]
      : [],
  );
}

/** The Deployments a policy peer selects (`undefined`: outside this manifest set). */
export function peerDeployments(
  manifests: readonly Manifest[],
  namespace: string | undefined,
  peer: NetworkPolicyPeer,
): Deployment[] | undefined {
  if (peer.ipBlock || peer.namespaceSelector) return undefined;
  return selectedDeployments(manifests, namespace, peer.podSelector);
}

function portsExist(targets: Deployment[], ports: NetworkPolicyPort[] | undefined): string[] {
  return (ports ?? []).flatMap(({ port }) =>
    port === undefined
      ? []
      : targets
          .filter((d) => !exposesPort(d, port))
          .map((d) => `port ${port} is not open on ${ref(d)}`),
  );
}

function networkPolicyProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<NetworkPolicy>(manifests, 'NetworkPolicy').flatMap((policy) => {
    const at = `NetworkPolicy ${ref(policy)}`;
    const { namespace } = policy.metadata;
    const subjects = selectedDeployments(manifests, namespace, policy.spec.podSelector);
    // Add-ons create pods in the namespace too (cert-manager's HTTP-01 solver).
    const addOnSubjects = addOnPods(namespace ?? '').filter(
      (pod) => pod.namespace === namespace && selects(policy.spec.podSelector, pod.labels),
    );
    if (
      subjects.length === 0 &&
      addOnSubjects.length === 0 &&
      !isEmptySelector(policy.spec.podSelector)
    ) {
      return [`${at}: podSelector matches no Deployment's pods`];
    }
    const problems: string[] = [];
    for (const rule of policy.spec.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        if (peerDeployments(manifests, namespace, peer)?.length === 0) {
          problems.push(`${at}: an ingress peer podSelector matches no pods`);
        }
      }
      problems.push(...portsExist(subjects, rule.ports).map((p) => `${at}: ingress ${p}`));
    }
    for (const rule of policy.spec.egress ?? []) {
      for (const peer of rule.to ?? []) {
        const peers = peerDeployments(manifests, namespace, peer);
        if (peers?.length === 0) problems.push(`${at}: an egress peer podSelector matches no pods`);
        if (peers) problems.push(...portsExist(peers, rule.ports).map((p) => `${at}: egress ${p}`));
      }
    }
    return problems;
  });
}

function ingressProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<Ingress>(manifests, 'Ingress').flatMap((ingress) => {
    const at = `Ingress ${ref(ingress)}`;
    const tlsHosts = (ingress.spec.tls ?? []).flatMap((tls) => tls.hosts ?? []);
    return (ingress.spec.rules ?? []).flatMap((rule) => {
      const problems =
        rule.host && !tlsHosts.includes(rule.host) ? [`${at}: ${rule.host} has no TLS`] : [];
      for (const { backend } of rule.http?.paths ?? []) {
        const wanted = backend.service;
        const service = ofKind<Service>(manifests, 'Service').find(
          (s) =>
            s.metadata.name === wanted?.name && s.metadata.namespace === ingress.metadata.namespace,
        );
        if (!wanted || !service) {
          problems.push(`${at}: backend Service ${wanted?.name} does not exist`);
        } else if (
          !service.spec.ports.some((p) =>
            wanted.port?.name !== undefined
              ? p.name === wanted.port.name
              : p.port === wanted.port?.number,
          )
        ) {
          problems.push(
            `${at}: backend Service ${wanted.name} has no port ${JSON.stringify(wanted.port)}`,
          );
        }
      }
      return problems;
    });
  });
}

/** The Services a ServiceMonitor selects, in the namespaces it looks in (its own by default). */
export function monitoredServices(
  manifests: readonly Manifest[],
  monitor: ServiceMonitor,
): Service[] {
  const scope = monitor.spec.namespaceSelector;
  const namespaces = scope?.any ? undefined : (scope?.matchNames ?? [monitor.metadata.namespace]);
  return ofKind<Service>(manifests, 'Service').filter(
    (service) =>
      (namespaces === undefined || namespaces.includes(service.metadata.namespace)) &&
      selects(monitor.spec.selector, service.metadata.labels),
  );
}

/**
 * A ServiceMonitor must select the Service it is meant for, the one of its own name (the charts
 * name both after the service), and no other, in the namespaces it looks in (its own unless
 * `namespaceSelector` says otherwise); every endpoint must scrape a port name that Service has.
 * Prometheus reports none of this: a monitor that selects nothing just scrapes nothing.
 */
function serviceMonitorProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<ServiceMonitor>(manifests, 'ServiceMonitor').flatMap((monitor) => {
    const at = `ServiceMonitor ${ref(monitor)}`;
    const { namespace, name } = monitor.metadata;
    if (isEmptySelector(monitor.spec.selector)) return [`${at}: selector selects every Service`];
    const selected = monitoredServices(manifests, monitor);
    if (selected.length === 0) return [`${at}: selector matches no Service`];
    const problems = selected
      .filter(
        (service) => service.metadata.name !== name || service.metadata.namespace !== namespace,
      )
      .map((service) => `${at}: also selects Service ${ref(service)}`);
    if (selected.length === problems.length)
      problems.push(`${at}: does not select Service ${name}`);
    for (const endpoint of monitor.spec.endpoints) {
      if (endpoint.port === undefined) {
        problems.push(`${at}: an endpoint scrapes no named Service port`);
        continue;
      }
      for (const service of selected.filter(
        (s) => !s.spec.ports.some((p) => p.name === endpoint.port),
      )) {
        problems.push(`${at}: port ${endpoint.port} is not a port name of Service ${ref(service)}`);
      }
    }
    return problems;
  });
}

/** The ConfigMaps a Deployment reads its environment from, merged. */
export function environmentOf(
  manifests: readonly Manifest[],
  deployment: Deployment,
): Record<string, string> {
  const names = containersOf(deployment).flatMap((c) =>
    (c.envFrom ?? []).flatMap((source) => (source.configMapRef ? [source.configMapRef.name] : [])),
  );
  return Object.assign(
    {},
    ...ofKind<ConfigMap>(manifests, 'ConfigMap')
      .filter(
        (cm) =>
          cm.metadata.namespace === deployment.metadata.namespace &&
          names.includes(cm.metadata.name),
      )
      .map((cm) => cm.data ?? {}),
  ) as Record<string, string>;
}
