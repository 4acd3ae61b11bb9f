/**
 * The Kubernetes objects the checks read, as they appear in YAML: the wire-format types of
 * `kubernetes-types` (see docs/development.md for its version), narrowed only where a check finds
 * or walks an object by a field the API server requires but the OpenAPI types leave optional (a
 * name, a spec, a pod template's spec). Every other field keeps the package's optionality: the
 * checks must not assume what they verify.
 */
import type * as apps from 'kubernetes-types/apps/v1.js';
import type * as autoscaling from 'kubernetes-types/autoscaling/v2.js';
import type * as batch from 'kubernetes-types/batch/v1.js';
import type * as core from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type * as networking from 'kubernetes-types/networking/v1.js';
import type * as policy from 'kubernetes-types/policy/v1.js';

export type { Quantity } from 'kubernetes-types/api/resource.js';
export type { Container, PodSpec, SecurityContext } from 'kubernetes-types/core/v1.js';
export type { LabelSelector } from 'kubernetes-types/meta/v1.js';
export type { NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';

/** Labels, annotations and other string maps. */
export type Labels = Record<string, string>;

/** A port or a percentage (`intstr.IntOrString`), which YAML gives as a number or a string. */
export type IntOrString = number | string;

/** Any object of a manifest: the checks find objects by kind and name. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** A kind of `kubernetes-types` as a manifest holds it: a `KubeObject` with its `spec` present. */
type Manifest<Kind extends { spec?: object }, Spec = unknown> = KubeObject &
  Omit<Kind, 'apiVersion' | 'kind' | 'metadata' | 'spec'> & {
    spec: NonNullable<Kind['spec']> & Spec;
  };

/** A pod template whose pod spec is given, as the API server requires of every workload. */
interface WithPodSpec {
  template: core.PodTemplateSpec & { spec: core.PodSpec };
}

export type Deployment = Manifest<apps.Deployment, WithPodSpec>;
export type CronJob = Manifest<batch.CronJob, { jobTemplate: { spec: WithPodSpec } }>;
/** A Job's spec with its pod template's spec, as an AnalysisTemplate's `job` provider holds it. */
export type JobSpec = batch.JobSpec & WithPodSpec;
export type Service = Manifest<core.Service, { ports: core.ServicePort[] }>;
export type HorizontalPodAutoscaler = Manifest<autoscaling.HorizontalPodAutoscaler>;
export type PodDisruptionBudget = Manifest<policy.PodDisruptionBudget>;
export type NetworkPolicy = Manifest<networking.NetworkPolicy>;
export type Ingress = Manifest<networking.Ingress>;
export type ResourceQuota = Manifest<
  core.ResourceQuota,
  Required<Pick<core.ResourceQuotaSpec, 'hard'>>
>;
export type LimitRange = Manifest<core.LimitRange>;
export type ConfigMap = KubeObject & Omit<core.ConfigMap, 'apiVersion' | 'kind' | 'metadata'>;

// The Prometheus Operator kinds (monitoring.coreos.com/v1) are not in `kubernetes-types`, and
// their `cdk8s import` bindings in imports/ describe construct props rather than YAML (wrapper
// classes for int-or-string fields and `expr`, enums, readonly arrays): only what the checks read.

/** A scrape endpoint of a ServiceMonitor. */
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

/** An alerting or a recording rule. */
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
