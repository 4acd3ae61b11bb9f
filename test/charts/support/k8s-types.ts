/**
 * The parts of Kubernetes objects the checks read, as they appear in YAML. Fields are optional
 * where the API allows leaving them out: the checks must not assume what they verify.
 */

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Labels;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export type IntOrString = number | string;

export interface Probe {
  httpGet?: { path?: string; port: IntOrString };
  tcpSocket?: { port: IntOrString };
  exec?: unknown;
  grpc?: unknown;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
  fsGroup?: number;
}

export interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, IntOrString>; limits?: Record<string, IntOrString> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  secret?: { secretName: string; optional?: boolean };
  configMap?: { name: string; optional?: boolean };
  [source: string]: unknown;
}

export interface PodAffinityTerm {
  topologyKey: string;
  labelSelector?: LabelSelector;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  priorityClassName?: string;
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  topologySpreadConstraints?: (PodAffinityTerm & { whenUnsatisfiable: string })[];
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
      preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm: PodAffinityTerm }[];
    };
  };
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector: LabelSelector;
    strategy?: {
      type?: string;
      rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString };
    };
    template: { metadata?: { labels?: Labels; annotations?: Labels }; spec: PodSpec };
  };
}

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    concurrencyPolicy?: string;
    jobTemplate: {
      spec: {
        backoffLimit?: number;
        activeDeadlineSeconds?: number;
        template: { metadata?: { labels?: Labels }; spec: PodSpec & { restartPolicy?: string } };
      };
    };
  };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: IntOrString;
}

export interface Service extends KubeObject {
  spec: { type?: string; selector?: Labels; ports: ServicePort[] };
}

export interface MetricSpec {
  type: string;
  resource?: {
    name: string;
    target: { type: string; averageUtilization?: number; averageValue?: IntOrString };
  };
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } };
  };
}

export interface PodDisruptionBudget extends KubeObject {
  spec: {
    selector?: LabelSelector;
    maxUnavailable?: IntOrString;
    minAvailable?: IntOrString;
    unhealthyPodEvictionPolicy?: string;
  };
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  port?: IntOrString;
  protocol?: string;
}

export interface NetworkPolicy extends KubeObject {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface Ingress extends KubeObject {
  spec: {
    ingressClassName?: string;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: {
      host?: string;
      http?: {
        paths: { path?: string; backend: { service?: { name: string; port: ServicePortRef } } }[];
      };
    }[];
  };
}

export interface ServicePortRef {
  name?: string;
  number?: number;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface ResourceQuota extends KubeObject {
  spec: { hard: Record<string, IntOrString> };
}

export interface LimitRange extends KubeObject {
  spec: {
    limits: {
      type: string;
      max?: Record<string, IntOrString>;
      default?: Record<string, IntOrString>;
      defaultRequest?: Record<string, IntOrString>;
    }[];
  };
}

export interface ServiceMonitorEndpoint {
  port?: string;
  targetPort?: IntOrString;
  path?: string;
  interval?: string;
  honorLabels?: boolean;
  relabelings?: { action?: string; sourceLabels?: string[]; targetLabel?: string }[];
}

export interface ServiceMonitor extends KubeObject {
  spec: {
    selector: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    endpoints: ServiceMonitorEndpoint[];
    jobLabel?: string;
    podTargetLabels?: string[];
  };
}

export interface PrometheusRuleRule {
  alert?: string;
  record?: string;
  expr: string | number;
  for?: string;
  labels?: Labels;
  annotations?: Labels;
}

export interface PrometheusRule extends KubeObject {
  spec: { groups: { name: string; rules: PrometheusRuleRule[] }[] };
}
