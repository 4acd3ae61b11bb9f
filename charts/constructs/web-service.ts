import { Chart, type Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkDnsLabel, checkInteger, checkServiceName } from './props.js';
import {
  addAcmeSolverPolicy,
  addAutoscaler,
  type AutoscalingSettings,
  addDisruptionBudget,
  addIngress,
  addService,
  type WebIdentity,
} from './web-objects.js';
import { webPodTemplate, type SecretFiles, type WebResources } from './web-pod.js';
import {
  configChecksum,
  resolveConfig,
  resolveImage,
  resolveReplicas,
  resolveRunAsId,
} from './web-settings.js';

export { HTTP_PORT_NAME, type SecretFiles, type WebResources } from './web-pod.js';
export type { AutoscalingSettings } from './web-objects.js';

/** Where a container image comes from: `<registry>/<repository>:<tag>`. */
export interface ImageReference {
  /** @default 'ghcr.io/aviary-dev' */
  readonly registry?: string;
  /** @default `aviary-<name>` */
  readonly repository?: string;
  /** A pinned release, never `latest`. @default the version in package.json */
  readonly tag?: string;
}

/** How a {@link WebService} is reached from outside the cluster. */
export interface WebIngressProps {
  /** Public host name. */
  readonly host: string;
  /** Secret holding the certificate; cert-manager fills it. @default `<name>-tls` */
  readonly tlsSecretName?: string;
  /** @default 'nginx' */
  readonly className?: string;
  /**
   * cert-manager `ClusterIssuer` that signs the certificate; with one, the ingress controller may
   * also reach cert-manager's HTTP-01 solver pods. @default no cert-manager annotation
   */
  readonly clusterIssuer?: string;
  /** Namespace of the ingress controller, which serves the HTTP-01 challenges. @default 'ingress-nginx' */
  readonly controllerNamespace?: string;
  /** Paths routed to the service, matched exactly. @default ['/'] */
  readonly paths?: readonly string[];
}

/** Pods of another namespace, selected by their labels, e.g. Prometheus. */
export interface PodPeer {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Props of {@link WebService}. */
export interface WebServiceProps {
  /** Name of every object, of the container, and the Service's DNS name. @default the construct id */
  readonly name?: string;
  /** Container port, named `http`; the Service listens on 80. @default 8080 */
  readonly port?: number;
  /** @default ghcr.io/aviary-dev/aviary-<name> at the package version */
  readonly image?: ImageReference;
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
  /** HorizontalPodAutoscaler bounds. @default { min: 2, max: 10 } */
  readonly replicas?: { readonly min?: number; readonly max?: number };
  /** Average CPU utilization (% of requests) the autoscaler aims for. @default 50 */
  readonly cpuTargetUtilization?: number;
  /**
   * Average memory per pod the autoscaler aims for. A pod keeps about 110 MB after a burst
   * (bench/RESULTS.md): from 3 replicas to 2 the average must fall below two thirds of the target.
   * @default '200Mi'
   */
  readonly memoryTargetAverage?: string;
  /** @default cpu 100m–500m, memory 160Mi–256Mi, ephemeral storage 64Mi–256Mi */
  readonly resources?: WebResources;
  /**
   * `NODE_OPTIONS` of the container; empty for none. In a container Node sizes its heap from the
   * memory limit, and at 256 MiB gives the young generation 1 MB semi-spaces: under load the
   * services then spend about a third more CPU per request than with 8 MB, for 15 MB less
   * memory at their peak (bench/RESULTS.md).
   * @default '--max-semi-space-size=8'
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
  /** Value of `app.kubernetes.io/part-of`, one of the two pod selector labels. @default 'aviary' */
  readonly partOf?: string;
  /**
   * Value of `app.kubernetes.io/instance`, which tells installations apart (it is on every
   * object and pod, never in a selector, so it can change). @default the chart's namespace
   */
  readonly instance?: string;
  /** @default '/healthz' */
  readonly livenessPath?: string;
  /** @default '/readyz' */
  readonly readinessPath?: string;
}

// Private, carrier-grade NAT, loopback and link-local (cloud metadata) ranges: "the internet"
// is everything else.
const NON_PUBLIC_RANGES = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
];

/**
 * A bird-style HTTP service: ServiceAccount, ConfigMap, Deployment, ClusterIP Service on port 80,
 * HorizontalPodAutoscaler, PodDisruptionBudget, its NetworkPolicies and optionally an Ingress.
 *
 * Pods are selected by `app.kubernetes.io/name` and `app.kubernetes.io/part-of` only: a
 * Deployment selector is immutable, so it holds no version and no hash.
 *
 * The Deployment is a `k8s` L1 object: cdk8s-plus-27 cannot name a probe port, drop `ALL`
 * capabilities (its enum lacks it), set seccomp, topology spread, a priority class or
 * `enableServiceLinks`, and it adds a hash-bearing `cdk8s.io/metadata.addr` label to the pods,
 * which its Service, policies and anti-affinity then select on. ConfigMap, ServiceAccount and
 * NetworkPolicies use cdk8s-plus-27, which renders them as intended.
 *
 * @example
 * const images = new WebService(chart, 'bird-image', { port: 4200 });
 * const bird = new WebService(chart, 'bird', { port: 4201, env: { BIRD_IMAGE_URL: images.url } });
 * images.allowFrom(bird);
 */
export class WebService extends Construct {
  /** Name of every object of this service. */
  public readonly name: string;
  /** The container port, named {@link HTTP_PORT_NAME}. */
  public readonly port: number;
  /** The Service's port. */
  public readonly servicePort = 80;
  /** In-cluster base URL, e.g. `http://bird-image`. */
  public readonly url: string;
  /** Labels selecting this service's pods. */
  public readonly selector: Readonly<Record<string, string>>;
  /** Labels of every object of this service: the selector plus `app.kubernetes.io/instance`. */
  public readonly labels: Readonly<Record<string, string>>;
  /** These pods, as a NetworkPolicy peer. */
  public readonly pods: kplus.Pods;
  /** The container image, `<registry>/<repository>:<tag>`. */
  public readonly image: string;
  /** Numeric uid and gid of the container; the image's `USER`. */
  public readonly runAsId: number;
  /** Name of the Ingress, when the service is exposed outside the cluster. */
  public readonly ingressName?: string;
  /** Bounds and targets of the autoscaler, for another workload that takes these pods over. */
  public readonly autoscaling: AutoscalingSettings;
  private readonly identity: WebIdentity;
  private ingressPolicy?: kplus.NetworkPolicy;
  private egressPolicy?: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: WebServiceProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    const owner = `WebService "${this.name}"`;
    checkServiceName(owner, 'name', this.name);
    this.port = props.port ?? 8080;
    checkInteger(owner, 'port', this.port, 1024, 65535);
    this.url = `http://${this.name}`;
    const partOf = props.partOf ?? 'aviary';
    checkDnsLabel(owner, 'partOf', partOf);
    this.selector = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': partOf };
    const instance = props.instance ?? Chart.of(this).namespace ?? partOf;
    checkDnsLabel(owner, 'instance', instance);
    const labels = { ...this.selector, 'app.kubernetes.io/instance': instance };
    this.labels = labels;
    this.identity = { owner, name: this.name, selector: this.selector, labels };
    this.pods = kplus.Pods.select(this, 'Pods', { labels: { ...this.selector } });

    this.image = resolveImage(owner, this.name, props.image);
    this.runAsId = resolveRunAsId(owner, props);
    this.autoscaling = {
      replicas: resolveReplicas(owner, props),
      targets: {
        cpu: props.cpuTargetUtilization ?? 50,
        memoryAverage: props.memoryTargetAverage ?? '200Mi',
      },
    };
    const config = resolveConfig(owner, this.port, props);
    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels },
      automountToken: false,
    });
    new kplus.ConfigMap(this, 'Config', {
      metadata: { name: this.name, labels },
      data: config.data,
    });
    this.addDeployment(props, config);
    addService(this, this.identity, this.servicePort);
    addAutoscaler(this, this.identity, this.autoscaling);
    if (props.disruptionBudget ?? true) addDisruptionBudget(this, this.identity);
    for (const namespace of props.allowedNamespaces ?? []) this.allowFromNamespace(namespace);
    (props.allowedPods ?? []).forEach((peer, index) => this.allowFromPods(peer, index));
    if (props.internetEgress ?? false) this.allowInternetEgress();
    if (props.ingress) {
      addIngress(this, this.identity, props.ingress);
      this.ingressName = this.name;
      if (props.ingress.clusterIssuer) {
        addAcmeSolverPolicy(
          this,
          this.identity,
          props.ingress.controllerNamespace ?? 'ingress-nginx',
        );
      }
    }
  }

  /** Lets `client`'s pods call this service: an ingress rule here, an egress rule there. */
  public allowFrom(client: WebService): void {
    // Policies see traffic after the Service's DNAT: the container port, not port 80.
    const port = [kplus.NetworkPolicyPort.tcp(this.port)];
    this.ingressRules().addIngressRule(client.pods, port);
    client.egressRules().addEgressRule(this.pods, port);
  }

  private addDeployment(
    props: WebServiceProps,
    config: { data: Record<string, string>; gracePeriodSeconds: number },
  ): void {
    const { image } = this;
    const labels = {
      ...this.identity.labels,
      'app.kubernetes.io/version': image.slice(image.lastIndexOf(':') + 1),
    };
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: this.name, labels },
      spec: {
        // No `replicas`: the autoscaler owns the count, and a fixed one would reset it on apply.
        selector: { matchLabels: { ...this.selector } },
        // Enough ReplicaSets to roll back a few releases, not the default ten per service.
        revisionHistoryLimit: 5,
        // A pod counts as available once it has stayed ready this long, so a pod that passes one
        // readiness check and crashes does not let the rollout move on.
        minReadySeconds: 5,
        // The startup probe allows a minute; five give a rollout with surges time to finish
        // before it is reported as failed (Progressing=False, ProgressDeadlineExceeded).
        progressDeadlineSeconds: 300,
        strategy: {
          type: 'RollingUpdate',
          // A new pod is ready before an old one goes: capacity never dips during a rollout.
          rollingUpdate: {
            maxUnavailable: k8s.IntOrString.fromNumber(0),
            maxSurge: k8s.IntOrString.fromNumber(1),
          },
        },
        template: webPodTemplate({
          name: this.name,
          image,
          port: this.port,
          selector: this.selector,
          labels,
          // Changing the ConfigMap alone does not restart pods; a changed checksum does.
          annotations: { 'checksum/config': configChecksum(config.data) },
          configMapName: this.name,
          serviceAccountName: this.name,
          priorityClassName: props.priorityClassName,
          terminationGracePeriodSeconds: config.gracePeriodSeconds,
          runAsId: this.runAsId,
          resources: {
            cpuRequest: props.resources?.cpuRequest ?? '100m',
            cpuLimit: props.resources?.cpuLimit ?? '500m',
            memoryRequest: props.resources?.memoryRequest ?? '160Mi',
            memoryLimit: props.resources?.memoryLimit ?? '256Mi',
            ephemeralStorageRequest: props.resources?.ephemeralStorageRequest ?? '64Mi',
            ephemeralStorageLimit: props.resources?.ephemeralStorageLimit ?? '256Mi',
          },
          livenessPath: props.livenessPath ?? '/healthz',
          readinessPath: props.readinessPath ?? '/readyz',
          secretFiles: props.secretFiles ?? [],
        }),
      },
    });
  }

  private allowFromNamespace(namespace: string): void {
    checkDnsLabel(this.identity.owner, 'allowedNamespaces[]', namespace);
    const peer = kplus.Namespaces.select(this, `From-${namespace}`, { names: [namespace] });
    this.ingressRules().addIngressRule(peer, [kplus.NetworkPolicyPort.tcp(this.port)]);
  }

  private allowFromPods(peer: PodPeer, index: number): void {
    checkDnsLabel(this.identity.owner, 'allowedPods[].namespace', peer.namespace);
    const pods = kplus.Pods.select(this, `FromPods-${index}`, {
      labels: { ...peer.labels },
      namespaces: kplus.Namespaces.select(this, `FromPodsNamespace-${index}`, {
        names: [peer.namespace],
      }),
    });
    this.ingressRules().addIngressRule(pods, [kplus.NetworkPolicyPort.tcp(this.port)]);
  }

  private allowInternetEgress(): void {
    const internet = kplus.NetworkPolicyIpBlock.ipv4(
      this,
      'Internet',
      '0.0.0.0/0',
      NON_PUBLIC_RANGES,
    );
    this.egressRules().addEgressRule(internet, [kplus.NetworkPolicyPort.tcp(443)]);
  }

  // Policies are created on the first rule: a policy without rules would deny all traffic.
  private ingressRules(): kplus.NetworkPolicy {
    this.ingressPolicy ??= new kplus.NetworkPolicy(this, 'IngressPolicy', {
      metadata: { name: `${this.name}-allow-ingress`, labels: this.identity.labels },
      selector: this.pods,
    });
    return this.ingressPolicy;
  }

  private egressRules(): kplus.NetworkPolicy {
    this.egressPolicy ??= new kplus.NetworkPolicy(this, 'EgressPolicy', {
      metadata: { name: `${this.name}-allow-egress`, labels: this.identity.labels },
      selector: this.pods,
    });
    return this.egressPolicy;
  }
}
