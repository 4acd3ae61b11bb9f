import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { checkDnsSubdomain, checkInteger } from './props.js';
import { HTTP_PORT_NAME } from './web-pod.js';
import type { WebIngressProps } from './web-service.js';

/*
 * The `k8s` L1 objects of a WebService. cdk8s-plus-27 has no PodDisruptionBudget; its Service
 * and Ingress cannot target a named port; its autoscaler needs its own Deployment construct.
 */

/** What every object of one service shares. */
export interface WebIdentity {
  readonly owner: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
}

const metadata = (service: WebIdentity, annotations?: Record<string, string>) => ({
  name: service.name,
  labels: { ...service.selector },
  ...(annotations ? { annotations } : {}),
});

/** A ClusterIP Service: `port` → the named container port. Labelled like its pods unless `labels`. */
export function addService(
  scope: Construct,
  service: WebIdentity,
  port: number,
  labels: Readonly<Record<string, string>> = service.selector,
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
  /** Average utilization, in percent of requests. */
  readonly targets: { readonly cpu: number; readonly memory: number };
}

/**
 * Autoscaling on CPU and memory utilization (percent of requests) of `target`, by default the
 * service's Deployment.
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
  const utilization = (name: 'cpu' | 'memory'): k8s.MetricSpecV2 => {
    checkInteger(service.owner, `${name}TargetUtilization`, targets[name], 1, 100);
    return {
      type: 'Resource',
      resource: { name, target: { type: 'Utilization', averageUtilization: targets[name] } },
    };
  };
  new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    metadata: metadata(service),
    spec: {
      scaleTargetRef: target,
      minReplicas: replicas.min,
      maxReplicas: replicas.max,
      metrics: [utilization('cpu'), utilization('memory')],
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

/** An Ingress with TLS on one host, every path to the Service's named port. */
export function addIngress(scope: Construct, service: WebIdentity, ingress: WebIngressProps): void {
  checkDnsSubdomain(service.owner, 'ingress.host', ingress.host);
  const secretName = ingress.tlsSecretName ?? `${service.name}-tls`;
  checkDnsSubdomain(service.owner, 'ingress.tlsSecretName', secretName);
  const annotations: Record<string, string> = {};
  if (ingress.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = ingress.clusterIssuer;
  new k8s.KubeIngress(scope, 'Ingress', {
    metadata: metadata(service, annotations),
    spec: {
      ingressClassName: ingress.className ?? 'nginx',
      tls: [{ hosts: [ingress.host], secretName }],
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service.name, port: { name: HTTP_PORT_NAME } } },
              },
            ],
          },
        },
      ],
    },
  });
}
