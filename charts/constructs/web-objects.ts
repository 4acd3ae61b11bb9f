import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { OPERATIONAL_PATHS } from '../../apps/shared/operational-contract.js';
import { checkDnsLabel, checkDnsSubdomain, checkInteger, failProp } from './props.js';
import { type Bytes, quantity } from '../quantities.js';
import { HTTP_PORT_NAME } from './web-pod.js';
import { DEFAULT_INGRESS_CLASS, type WebIngressProps } from './web-service-props.js';

/*
 * The `k8s` L1 objects of a WebService. cdk8s-plus-27 has no PodDisruptionBudget; its Service
 * and Ingress cannot target a named port; its autoscaler needs its own Deployment construct.
 */

/** What every object of one service shares. */
export interface WebIdentity {
  readonly owner: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  /** The selector plus labels that may change over time (`app.kubernetes.io/instance`). */
  readonly labels: Readonly<Record<string, string>>;
}

const metadata = (service: WebIdentity, annotations?: Record<string, string>) => ({
  name: service.name,
  labels: { ...service.labels },
  ...(annotations ? { annotations } : {}),
});

/** A ClusterIP Service: `port` → the named container port. Labelled like the service unless `labels`. */
export function addService(
  scope: Construct,
  service: WebIdentity,
  port: number,
  labels: Readonly<Record<string, string>> = service.labels,
): void {
  new k8s.KubeService(scope, 'Service', {
    metadata: { ...metadata(service), labels: { ...labels } },
    spec: {
      type: 'ClusterIP',
      selector: { ...service.selector },
      ports: [
        {
          name: HTTP_PORT_NAME,
          port,
          targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME),
          protocol: 'TCP',
        },
      ],
    },
  });
}

/** What an autoscaler of a service aims for. */
export interface AutoscalingSettings {
  readonly replicas: { readonly min: number; readonly max: number };
  /** CPU in percent of requests; memory as an average value per pod. */
  readonly targets: { readonly cpu: number; readonly memoryAverage: Bytes };
}

/**
 * Autoscaling of `target`, by default the service's Deployment, on CPU utilization (percent of
 * requests) and on average memory per pod.
 *
 * Memory is an average value, not a share of the request: the autoscaler removes a pod only when
 * the others would stay under the target, so from `n` to `n - 1` replicas the average must fall
 * below `target × (n - 1) / n` (two thirds of it from 3 to 2). V8 keeps its heap after a burst,
 * so the target must sit well above the working set a pod keeps at rest.
 */
export function addAutoscaler(
  scope: Construct,
  service: WebIdentity,
  { replicas, targets }: AutoscalingSettings,
  target: k8s.CrossVersionObjectReferenceV2 = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: service.name,
  },
): void {
  checkInteger(service.owner, 'cpuTargetUtilization', targets.cpu, 1, 100);
  new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    metadata: metadata(service),
    spec: {
      scaleTargetRef: target,
      minReplicas: replicas.min,
      maxReplicas: replicas.max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: targets.cpu },
          },
        },
        {
          type: 'Resource',
          resource: {
            name: 'memory',
            target: {
              type: 'AverageValue',
              averageValue: quantity(targets.memoryAverage),
            },
          },
        },
      ],
      behavior: {
        // Traffic comes in waves: keep capacity five minutes, then shed one pod a minute.
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    },
  });
}

/** A budget that allows one pod down at a time: at two replicas or more, a drain never blocks. */
export function addDisruptionBudget(scope: Construct, service: WebIdentity): void {
  new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: metadata(service),
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: { ...service.selector } },
      // A crash-looping pod protects nothing; let a drain evict it.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

const OPERATIONAL: readonly string[] = Object.values(OPERATIONAL_PATHS);

/**
 * An Ingress with TLS on one host that routes exactly the public paths (`Exact`, so the
 * operational paths, `/metrics`, `/healthz` and `/readyz`, stay inside the cluster) to the
 * Service's named port.
 */
export function addIngress(scope: Construct, service: WebIdentity, ingress: WebIngressProps): void {
  checkDnsSubdomain(service.owner, 'ingress.host', ingress.host);
  const paths = ingress.paths ?? ['/'];
  for (const path of paths) {
    if (!path.startsWith('/') || OPERATIONAL.includes(path)) {
      failProp(service.owner, 'ingress.paths[]', path, 'use public API paths such as "/"');
    }
  }
  const secretName = ingress.tlsSecretName ?? `${service.name}-tls`;
  checkDnsSubdomain(service.owner, 'ingress.tlsSecretName', secretName);
  const annotations: Record<string, string> = {};
  if (ingress.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = ingress.clusterIssuer;
  new k8s.KubeIngress(scope, 'Ingress', {
    metadata: metadata(service, annotations),
    spec: {
      ingressClassName: ingress.className ?? DEFAULT_INGRESS_CLASS,
      tls: [{ hosts: [ingress.host], secretName }],
      rules: [
        {
          host: ingress.host,
          http: {
            paths: paths.map((path) => ({
              path,
              pathType: 'Exact',
              backend: { service: { name: service.name, port: { name: HTTP_PORT_NAME } } },
            })),
          },
        },
      ],
    },
  });
}

/** The labels cert-manager gives every HTTP-01 solver pod (`acme.cert-manager.io/http01-solver`). */
export const ACME_SOLVER_LABELS: Readonly<Record<string, string>> = {
  'acme.cert-manager.io/http01-solver': 'true',
};
/** The port cert-manager's HTTP-01 solver listens on (`acmeSolverListenPort`, v1.21). */
export const ACME_SOLVER_PORT = 8089;

/**
 * Lets the ingress controller reach cert-manager's HTTP-01 solver pods, which cert-manager
 * creates in the Ingress's namespace, where the default-deny policy also selects them: without
 * it the ACME server's validation request never reaches the solver and no certificate is issued.
 * A `k8s` L1 object: cdk8s-plus-27 selects peers by labels of its own constructs only.
 */
export function addAcmeSolverPolicy(
  scope: Construct,
  service: WebIdentity,
  controllerNamespace: string,
): void {
  checkDnsLabel(service.owner, 'ingress.controllerNamespace', controllerNamespace);
  new k8s.KubeNetworkPolicy(scope, 'AcmeSolverPolicy', {
    metadata: { name: `${service.name}-allow-acme-http01`, labels: { ...service.labels } },
    spec: {
      podSelector: { matchLabels: { ...ACME_SOLVER_LABELS } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': controllerNamespace },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ACME_SOLVER_PORT) }],
        },
      ],
    },
  });
}
