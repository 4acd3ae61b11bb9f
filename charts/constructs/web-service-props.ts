import type { Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Bytes } from '../quantities.js';
import type { SecretFiles, WebResources } from './web-pod.js';

/*
 * The props of a WebService, apart from the construct: `web-service.ts` and the helpers it builds
 * its objects with (`web-settings.ts`, `web-objects.ts`) all read them, and none imports another
 * for its types.
 */

/** Where a container image comes from: `<registry>/<repository>:<tag>`. */
export interface ImageReference {
  /** Host and path, e.g. `ghcr.io/aviary-dev`: the environment's `imageRegistry`. */
  readonly registry: string;
  /** @default `aviary-<name>` */
  readonly repository?: string;
  /** A pinned release, never `latest`: the environment's `imageTag`. */
  readonly tag: string;
}

/** The IngressClass of ingress-nginx, which Aviary's Ingress and cert-manager's solver use. */
export const DEFAULT_INGRESS_CLASS = 'nginx';

/** How a {@link WebService} is reached from outside the cluster. */
export interface WebIngressProps {
  /** Public host name. */
  readonly host: string;
  /** Secret holding the certificate; cert-manager fills it. @default `<name>-tls` */
  readonly tlsSecretName?: string;
  /** @default {@link DEFAULT_INGRESS_CLASS} */
  readonly className?: string;
  /**
   * cert-manager `ClusterIssuer` that signs the certificate; with one, the ingress controller may
   * also reach cert-manager's HTTP-01 solver pods. @default no cert-manager annotation
   */
  readonly clusterIssuer?: string;
  /**
   * Namespace of the ingress controller that serves this Ingress; with a `clusterIssuer`, it also
   * serves the HTTP-01 challenges.
   */
  readonly controllerNamespace: string;
  /** Paths routed to the service, matched exactly. @default ['/'] */
  readonly paths?: readonly string[];
}

/** Pods of another namespace, selected by their labels, e.g. Prometheus. */
export interface PodPeer {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Pods of the service's namespace that are not a WebService's (a CronJob's, say) and call it. */
export interface PodClient {
  /** Where the policies that let them call go: the chart of the pods' workload. */
  readonly scope: Construct;
  /** The client's name: its egress NetworkPolicy's, and the suffix of the service's ingress one. */
  readonly name: string;
  /** Labels that select the client's pods, and only them. */
  readonly selector: Readonly<Record<string, string>>;
  /** Labels of the client's NetworkPolicy. @default `selector` */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Props of {@link WebService}. */
export interface WebServiceProps {
  /** Name of every object, of the container, and the Service's DNS name. @default the construct id */
  readonly name?: string;
  /** Container port, named `http`; the Service listens on 80. @default 8080 */
  readonly port?: number;
  readonly image: ImageReference;
  /**
   * The service's own ConfigMap entries; `PORT`, `HOST`, `LOG_LEVEL`, `SHUTDOWN_*` and
   * `NODE_OPTIONS` come from other props. @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 'info' */
  readonly logLevel?: string;
  /** How long the service keeps serving after SIGTERM, while endpoints are removed. @default 5 s */
  readonly shutdownDelay?: Duration;
  /** How long in-flight requests get once the server closes. @default 10 s */
  readonly shutdownTimeout?: Duration;
  /** Must exceed delay + timeout, or the kubelet kills a draining pod. @default delay + timeout + 5 s */
  readonly terminationGracePeriod?: Duration;
  /** HorizontalPodAutoscaler bounds: the environment's `replicas`. */
  readonly replicas: { readonly min: number; readonly max: number };
  /** Average CPU utilization (% of requests) the autoscaler aims for. @default 50 */
  readonly cpuTargetUtilization?: number;
  /**
   * Average memory per pod the autoscaler aims for. A pod keeps about 110 MB after a burst
   * (bench/HISTORY.md, section 4): from 3 replicas to 2 the average must fall below two thirds of the target.
   * @default mebibytes(200)
   */
  readonly memoryTargetAverage?: Bytes;
  /**
   * Where the HorizontalPodAutoscaler goes: another chart puts it in a file (and a GitOps unit) of
   * its own, which a layer that takes the pods over can replace (`charts/autoscaling-chart.ts`).
   * @default this service's chart
   */
  readonly autoscalerScope?: Construct;
  /** @default cpu 100m–500m, memory 160Mi–256Mi, ephemeral storage 64Mi–256Mi */
  readonly resources?: WebResources;
  /**
   * `NODE_OPTIONS` of the container; empty for none.
   * @default `defaultNodeOptions` (web-settings.ts): 8 MB semi-spaces, old space half the memory limit
   */
  readonly nodeOptions?: string;
  /** Adds a PodDisruptionBudget allowing one pod down at a time. @default true */
  readonly disruptionBudget?: boolean;
  /** @default the cluster's default priority */
  readonly priorityClassName?: string;
  /** Numeric uid and gid; the image's `USER` must match. @default 10001 */
  readonly runAsId?: number;
  /** Namespaces whose pods may all connect to the http port (the ingress controller's). @default [] */
  readonly allowedNamespaces?: readonly string[];
  /** Pods of other namespaces that may connect to the http port (Prometheus). @default [] */
  readonly allowedPods?: readonly PodPeer[];
  /** Lets the pods open HTTPS connections to public (non-private) addresses. @default false */
  readonly internetEgress?: boolean;
  /** @default [] */
  readonly secretFiles?: readonly SecretFiles[];
  /** @default not exposed outside the cluster */
  readonly ingress?: WebIngressProps;
  /** Value of `app.kubernetes.io/part-of`, one of the two pod selector labels. */
  readonly partOf: string;
  /**
   * Value of `app.kubernetes.io/instance`, which tells installations apart (it is on every
   * object and pod, never in a selector, so it can change). @default the chart's namespace
   */
  readonly instance?: string;
  /** @default the liveness path of `apps/shared/operational-contract.ts` */
  readonly livenessPath?: string;
  /** @default the readiness path of `apps/shared/operational-contract.ts` */
  readonly readinessPath?: string;
}
