import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { OPERATIONAL_PATHS } from '../../apps/shared/operational-contract.js';
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
import { webPodTemplate, webResources } from './web-pod.js';
import type { PodClient, PodPeer, WebServiceProps } from './web-service-props.js';
import {
  configChecksum,
  resolveConfig,
  resolveImage,
  resolveReplicas,
  resolveRunAsId,
} from './web-settings.js';
import { SURGE_PODS } from '../pod-budget.js';
import { type ContainerResources, mebibytes } from '../quantities.js';

export { HTTP_PORT_NAME, type SecretFiles, type WebResources } from './web-pod.js';
export type { AutoscalingSettings } from './web-objects.js';
export type {
  ImageReference,
  PodClient,
  PodPeer,
  WebIngressProps,
  WebServiceProps,
} from './web-service-props.js';

/** The port every service's Service listens on (its pods listen on their own `port`). */
export const SERVICE_PORT = 80;

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
 * const common = {
 *   image: { registry: 'ghcr.io/org', tag: '1.0.0' },
 *   replicas: { min: 3, max: 6 },
 *   partOf: 'shop',
 * };
 * const images = new WebService(chart, 'images', { ...common, port: 8081 });
 * const api = new WebService(chart, 'api', { ...common, env: { IMAGES_URL: images.url } });
 * images.allowFrom(api);
 */
export class WebService extends Construct {
  /** Name of every object of this service. */
  public readonly name: string;
  /** The container port, named {@link HTTP_PORT_NAME}. */
  public readonly port: number;
  /** The Service's port. */
  public readonly servicePort = SERVICE_PORT;
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
  /** Value of `app.kubernetes.io/part-of`, one of the two selector labels. */
  public readonly partOf: string;
  /** Numeric uid and gid of the container; the image's `USER`. */
  public readonly runAsId: number;
  /** Name of the Ingress, when the service is exposed outside the cluster. */
  public readonly ingressName?: string;
  /** Bounds and targets of the autoscaler, for another workload that takes these pods over. */
  public readonly autoscaling: AutoscalingSettings;
  private readonly identity: WebIdentity;
  private ingressPolicy?: kplus.NetworkPolicy;
  private egressPolicy?: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const owner = `WebService "${this.name}"`;
    checkServiceName(owner, 'name', this.name);
    this.port = props.port ?? 8080;
    checkInteger(owner, 'port', this.port, 1024, 65535);
    this.url = `http://${this.name}`;
    const { partOf } = props;
    checkDnsLabel(owner, 'partOf', partOf);
    this.partOf = partOf;
    this.selector = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': partOf };
    const instance = props.instance ?? Chart.of(this).namespace ?? partOf;
    checkDnsLabel(owner, 'instance', instance);
    const labels = { ...this.selector, 'app.kubernetes.io/instance': instance };
    this.labels = labels;
    this.identity = { owner, name: this.name, selector: this.selector, labels };
    this.pods = kplus.Pods.select(this, 'Pods', { labels: { ...this.selector } });

    this.image = resolveImage(owner, this.name, props.image);
    this.runAsId = resolveRunAsId(owner, props.runAsId);
    this.autoscaling = {
      replicas: resolveReplicas(owner, props.replicas, props.disruptionBudget ?? true),
      targets: {
        cpu: props.cpuTargetUtilization ?? 50,
        memoryAverage: props.memoryTargetAverage ?? mebibytes(200),
      },
    };
    const resources = webResources(props.resources);
    const config = resolveConfig(owner, this.port, resources.limits.memory, props);
    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels },
      automountToken: false,
    });
    new kplus.ConfigMap(this, 'Config', {
      metadata: { name: this.name, labels },
      data: config.data,
    });
    this.addDeployment(props, config, resources);
    addService(this, this.identity, this.servicePort);
    // One construct per service in a shared scope: each adds its own `Autoscaler`.
    const autoscalerScope = props.autoscalerScope
      ? new Construct(props.autoscalerScope, this.name)
      : this;
    addAutoscaler(autoscalerScope, this.identity, this.autoscaling);
    if (props.disruptionBudget ?? true) addDisruptionBudget(this, this.identity);
    for (const namespace of props.allowedNamespaces ?? []) this.allowFromNamespace(namespace);
    (props.allowedPods ?? []).forEach((peer, index) => this.allowFromPods(peer, index));
    if (props.internetEgress ?? false) this.allowInternetEgress();
    if (props.ingress) {
      addIngress(this, this.identity, props.ingress);
      this.ingressName = this.name;
      if (props.ingress.clusterIssuer) {
        addAcmeSolverPolicy(this, this.identity, props.ingress.controllerNamespace);
      }
    }
  }

  /**
   * Lets `client`'s pods call this service. Another WebService: an ingress rule here, an egress
   * rule there. Other pods of the namespace ({@link PodClient}): two NetworkPolicies of their own
   * in the client's scope, `<client>` out of its pods and `<service>-allow-<client>` into these.
   */
  public allowFrom(client: WebService | PodClient): void {
    // Policies see traffic after the Service's DNAT: the container port, not port 80.
    const port = [kplus.NetworkPolicyPort.tcp(this.port)];
    if (client instanceof WebService) {
      this.ingressRules().addIngressRule(client.pods, port);
      client.egressRules().addEgressRule(this.pods, port);
      return;
    }
    checkServiceName(this.identity.owner, 'allowFrom().name', client.name);
    const clientPods = kplus.Pods.select(client.scope, `${client.name}-pods`, {
      labels: { ...client.selector },
    });
    new kplus.NetworkPolicy(client.scope, `${client.name}-egress`, {
      metadata: { name: client.name, labels: { ...(client.labels ?? client.selector) } },
      selector: clientPods,
      egress: { rules: [{ peer: this.pods, ports: port }] },
    });
    new kplus.NetworkPolicy(client.scope, `${this.name}-ingress-from-${client.name}`, {
      metadata: { name: `${this.name}-allow-${client.name}`, labels: { ...this.labels } },
      selector: this.pods,
      ingress: { rules: [{ peer: clientPods, ports: port }] },
    });
  }

  private addDeployment(
    props: WebServiceProps,
    config: { data: Record<string, string>; gracePeriodSeconds: number },
    resources: ContainerResources,
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
            maxSurge: k8s.IntOrString.fromNumber(SURGE_PODS),
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
          resources,
          livenessPath: props.livenessPath ?? OPERATIONAL_PATHS.liveness,
          readinessPath: props.readinessPath ?? OPERATIONAL_PATHS.readiness,
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
