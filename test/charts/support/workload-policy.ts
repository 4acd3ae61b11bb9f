import { addOnPods } from './addons.js';
import { analysisJobPods } from './analysis-jobs.js';
import { environmentOf } from './cross-references.js';
import type {
  CronJob,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  LimitRange,
  PodDisruptionBudget,
  ResourceQuota,
} from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { parseQuantity } from '../../../charts/quantities.js';
import { scaledCount } from '../../support/quantities.js';
import type { Rollout } from './rollout-references.js';
import { containersOf, podWorkloads, ref, selectedDeployments } from './workloads.js';

// The probe paths the services serve (docs/contract.md#operational-endpoints): liveness never touches a dependency.
const LIVENESS_PATH = '/healthz';
const READINESS_PATH = '/readyz';

/**
 * What a reviewer checks on each workload: resources, probes, scaling, drains, rollouts and
 * shutdown, against the values docs/contract.md#workloads fixes.
 */
export function workloadProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<Deployment>(manifests, 'Deployment').flatMap((deployment) => {
    const at = `Deployment ${ref(deployment)}`;
    return [
      ...resourceProblems(deployment),
      ...probeProblems(deployment),
      ...scalingProblems(manifests, deployment),
      ...shutdownProblems(manifests, deployment),
    ].map((problem) => `${at}: ${problem}`);
  });
}

function resourceProblems(deployment: Deployment): string[] {
  return containersOf(deployment).flatMap(({ name, resources }) => {
    const problems: string[] = [];
    if (resources?.requests?.cpu !== '100m')
      problems.push(`${name} requests cpu ${resources?.requests?.cpu}, not 100m`);
    if (resources?.limits?.cpu !== '500m')
      problems.push(`${name} limits cpu to ${resources?.limits?.cpu}, not 500m`);
    const request = parseQuantity(resources?.requests?.memory);
    const limit = parseQuantity(resources?.limits?.memory);
    if (!(request > 0 && limit >= request)) {
      problems.push(
        `${name} memory request/limit ${resources?.requests?.memory}/${resources?.limits?.memory} are not set or inverted`,
      );
    }
    return problems;
  });
}

function probeProblems(deployment: Deployment): string[] {
  const expected = {
    startupProbe: LIVENESS_PATH,
    livenessProbe: LIVENESS_PATH,
    readinessProbe: READINESS_PATH,
  } as const;
  return deployment.spec.template.spec.containers.flatMap((container) =>
    Object.entries(expected).flatMap(([probe, path]) => {
      const actual = container[probe as keyof typeof expected]?.httpGet?.path;
      return actual === path
        ? []
        : [`${container.name}.${probe} is ${actual ?? 'missing'}, not GET ${path}`];
    }),
  );
}

function autoscalerOf(manifests: readonly Manifest[], target: KubeObject) {
  return ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').find(
    (hpa) =>
      hpa.spec.scaleTargetRef.kind === target.kind &&
      hpa.spec.scaleTargetRef.name === target.metadata.name &&
      hpa.metadata.namespace === target.metadata.namespace,
  );
}

/**
 * The most pods a Deployment's service may run at once: its autoscaler's maximum plus a rolling
 * update's surge; or, when an Argo Rollouts canary (v1.9.1) takes it over, the higher of the
 * takeover and the canary's peak. Takeover: argoproj/argo-rollouts v1.9.1 rollout/sync.go scales
 * the Deployment to 0 only once the Rollout's first revision is Healthy (`scaleDown: onsuccess`;
 * never with `never`), so until then both run at their maximum; rollout/replicaset.go scales it
 * down step by step with `progressively`. Canary: with traffic routing the stable pods keep their
 * full count while the canary's grow with the weight, so at 100 % both run at the maximum; by
 * share of pods, the canary's surge is all that comes on top.
 */
function peakPods(manifests: readonly Manifest[], deployment: Deployment): number {
  const max =
    autoscalerOf(manifests, deployment)?.spec.maxReplicas ?? deployment.spec.replicas ?? 1;
  const rolling =
    max + scaledCount(deployment.spec.strategy?.rollingUpdate?.maxSurge ?? '25%', max);
  const rollout = ofKind<Rollout>(manifests, 'Rollout').find(
    (r) =>
      r.spec.workloadRef?.kind === 'Deployment' &&
      r.spec.workloadRef.name === deployment.metadata.name &&
      r.metadata.namespace === deployment.metadata.namespace,
  );
  const canary = rollout?.spec.strategy.canary;
  if (!rollout || !canary) return rolling;
  const rolloutMax = autoscalerOf(manifests, rollout)?.spec.maxReplicas ?? max;
  const canaryPeak = canary.trafficRouting
    ? 2 * rolloutMax
    : rolloutMax + scaledCount(canary.maxSurge ?? '25%', rolloutMax);
  const takeover =
    rollout.spec.workloadRef?.scaleDown === 'progressively' ? rolloutMax : max + rolloutMax;
  return Math.max(rolling, canaryPeak, takeover);
}

function scalingProblems(manifests: readonly Manifest[], deployment: Deployment): string[] {
  const problems: string[] = [];
  const hpa = autoscalerOf(manifests, deployment);
  const strategy = deployment.spec.strategy;
  if (strategy?.type !== 'RollingUpdate' || strategy.rollingUpdate?.maxUnavailable !== 0) {
    problems.push('rollout is not RollingUpdate with maxUnavailable 0');
  }
  if (!hpa) return [...problems, 'no HorizontalPodAutoscaler scales it'];
  // An apply would reset the count the autoscaler chose.
  if (deployment.spec.replicas !== undefined) problems.push('sets replicas under an autoscaler');
  const min = hpa.spec.minReplicas ?? 1;
  if (min < 2 || hpa.spec.maxReplicas < min)
    problems.push(`autoscaler bounds ${min}..${hpa.spec.maxReplicas}`);
  const metric = (name: string) => hpa.spec.metrics?.find((m) => m.resource?.name === name);
  if (metric('cpu')?.resource?.target.averageUtilization !== 50)
    problems.push('autoscaler does not target 50% CPU');
  if (!metric('memory')) problems.push('autoscaler has no memory metric');
  if (!hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds)
    problems.push('autoscaler has no scale-down stabilization');

  const budgets = ofKind<PodDisruptionBudget>(manifests, 'PodDisruptionBudget').filter((pdb) =>
    selectedDeployments(manifests, pdb.metadata.namespace, pdb.spec.selector).includes(deployment),
  );
  if (budgets.length !== 1)
    return [...problems, `${budgets.length} PodDisruptionBudgets select it, not 1`];
  const { spec } = budgets[0]!;
  // At the autoscaler's minimum, a drain must still be allowed to evict one pod.
  const allowed =
    spec.maxUnavailable !== undefined
      ? scaledCount(spec.maxUnavailable, min)
      : min - scaledCount(spec.minAvailable, min);
  if (!(allowed >= 1))
    problems.push(`its PodDisruptionBudget allows ${allowed} evictions at ${min} replicas`);
  if (!spec.unhealthyPodEvictionPolicy)
    problems.push('its PodDisruptionBudget has no unhealthyPodEvictionPolicy');
  return problems;
}

function shutdownProblems(manifests: readonly Manifest[], deployment: Deployment): string[] {
  const env = environmentOf(manifests, deployment);
  const delay = Number(env.SHUTDOWN_DELAY_MS);
  const timeout = Number(env.SHUTDOWN_TIMEOUT_MS);
  if (!(delay >= 0 && timeout > 0))
    return ['its ConfigMap lacks SHUTDOWN_DELAY_MS or SHUTDOWN_TIMEOUT_MS'];
  const grace = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
  // The kubelet sends SIGKILL after the grace period: it must outlast the whole drain.
  return grace * 1000 > delay + timeout
    ? []
    : [
        `terminationGracePeriodSeconds ${grace} does not exceed shutdown delay ${delay} ms + timeout ${timeout} ms`,
      ];
}

/**
 * Whether each namespace's ResourceQuota and LimitRange let every service reach its peak
 * ({@link peakPods}) while each CronJob runs one Job (`concurrencyPolicy: Forbid`; two
 * otherwise, an overlapping run).
 */
export function capacityProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<ResourceQuota>(manifests, 'ResourceQuota').flatMap((quota) => {
    const { namespace } = quota.metadata;
    const need: Record<string, number> = { pods: 0 };
    const inNamespace = <T extends KubeObject>(kind: string) =>
      ofKind<T>(manifests, kind).filter((o) => o.metadata.namespace === namespace);
    const cronPods = new Map(
      inNamespace<CronJob>('CronJob').map((c) => [
        c.metadata.name,
        c.spec.concurrencyPolicy === 'Forbid' ? 1 : 2,
      ]),
    );
    const deployments = podWorkloads(manifests).filter((d) => d.metadata.namespace === namespace);
    for (const deployment of deployments) {
      const pods =
        deployment.kind === 'CronJob'
          ? cronPods.get(deployment.metadata.name)!
          : peakPods(manifests, deployment);
      need.pods! += pods;
      for (const { resources } of containersOf(deployment)) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const [resource, value] of Object.entries(resources?.[kind] ?? {})) {
            const key = `${kind}.${resource}`;
            need[key] = (need[key] ?? 0) + pods * parseQuantity(value);
          }
        }
      }
    }
    // What add-ons run in the namespace (cert-manager's HTTP-01 solver, the analyses' Jobs of
    // Argo Rollouts), as they create it.
    const added = [...addOnPods(namespace!), ...analysisJobPods(manifests)];
    for (const pod of added.filter((p) => p.namespace === namespace)) {
      need.pods! += 1;
      for (const { resources } of pod.spec.containers) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const [resource, value] of Object.entries(resources?.[kind] ?? {})) {
            const key = `${kind}.${resource}`;
            need[key] = (need[key] ?? 0) + parseQuantity(value);
          }
        }
      }
    }
    const problems = Object.entries(need)
      .filter(
        ([key, value]) => key in quota.spec.hard && parseQuantity(quota.spec.hard[key]) < value,
      )
      .map(
        ([key, value]) =>
          `ResourceQuota ${ref(quota)}: ${key} ${quota.spec.hard[key]} is below the ${value} the workloads may need at their peak`,
      );
    for (const range of ofKind<LimitRange>(manifests, 'LimitRange').filter(
      (r) => r.metadata.namespace === namespace,
    )) {
      const max = range.spec.limits.find((limit) => limit.type === 'Container')?.max ?? {};
      for (const container of deployments.flatMap(containersOf)) {
        for (const [resource, value] of Object.entries(container.resources?.limits ?? {})) {
          if (max[resource] !== undefined && parseQuantity(value) > parseQuantity(max[resource])) {
            problems.push(
              `LimitRange ${ref(range)}: ${container.name} limit ${resource} ${value} exceeds max ${max[resource]}`,
            );
          }
        }
      }
    }
    return problems;
  });
}
