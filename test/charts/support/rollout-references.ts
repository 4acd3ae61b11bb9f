import type {
  Deployment,
  Ingress,
  JobSpec,
  KubeObject,
  LabelSelector,
  Service,
} from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { podLabels, ref, selects } from './workloads.js';

/** The parts of an Argo Rollouts v1alpha1 Rollout the checks read. */
export interface Rollout extends KubeObject {
  spec: {
    selector?: LabelSelector;
    workloadRef?: { apiVersion?: string; kind?: string; name?: string; scaleDown?: string };
    strategy: {
      canary?: {
        canaryService?: string;
        maxSurge?: number | string;
        stableService?: string;
        trafficRouting?: { nginx?: { stableIngress?: string } };
        canaryMetadata?: { labels?: Record<string, string> };
        stableMetadata?: { labels?: Record<string, string> };
        analysis?: {
          templates?: { templateName?: string; clusterScope?: boolean }[];
          args?: { name: string; value?: string; valueFrom?: unknown }[];
        };
        steps?: { setWeight?: number; pause?: { duration?: string | number } }[];
      };
    };
  };
}

/** The parts of an AnalysisTemplate the checks read. */
export interface AnalysisTemplate extends KubeObject {
  spec: {
    args?: { name: string; value?: string }[];
    metrics: {
      name: string;
      successCondition?: string;
      failureCondition?: string;
      interval?: string;
      failureLimit?: number | string;
      inconclusiveLimit?: number | string;
      provider: {
        prometheus?: { address?: string; query?: string };
        job?: { metadata?: { labels?: Record<string, string> }; spec: JobSpec };
      };
    }[];
  };
}

/** The `{{args.NAME}}` placeholders of a query, as Argo Rollouts resolves them (spaces trimmed). */
export function queryArgs(query: string): string[] {
  return [...query.matchAll(/\{\{\s*args\.([^}\s]+)\s*\}\}/g)].map((match) => match[1]!);
}

function find<T extends KubeObject>(
  manifests: readonly Manifest[],
  kind: string,
  name: string | undefined,
  namespace: string | undefined,
): T | undefined {
  return ofKind<T>(manifests, kind).find(
    (o) => o.metadata.name === name && o.metadata.namespace === namespace,
  );
}

/**
 * References of Argo Rollouts objects (v1.9.1) that point at nothing or at the wrong thing: the
 * Deployment a Rollout takes over (its selector must be the Deployment's), the Services it
 * repoints (they must select those pods), the Ingress whose traffic it splits (it must route to
 * the stable Service, which Argo Rollouts checks before it creates the canary Ingress), and the
 * AnalysisTemplates with every argument their queries use.
 */
export function rolloutProblems(manifests: readonly Manifest[]): string[] {
  const templates = ofKind<AnalysisTemplate>(manifests, 'AnalysisTemplate');
  const problems = templates.flatMap((template) => {
    const declared = (template.spec.args ?? []).map((arg) => arg.name);
    return template.spec.metrics.flatMap((metric) =>
      queryArgs(metric.provider.prometheus?.query ?? '')
        .filter((arg) => !declared.includes(arg))
        .map((arg) => `AnalysisTemplate ${ref(template)}: query uses undeclared args.${arg}`),
    );
  });
  for (const rollout of ofKind<Rollout>(manifests, 'Rollout')) {
    problems.push(...oneRolloutProblems(manifests, rollout, templates));
  }
  return problems;
}

function oneRolloutProblems(
  manifests: readonly Manifest[],
  rollout: Rollout,
  templates: readonly AnalysisTemplate[],
): string[] {
  const at = `Rollout ${ref(rollout)}`;
  const { namespace } = rollout.metadata;
  const problems: string[] = [];
  const workload = rollout.spec.workloadRef;
  const deployment =
    workload?.kind === 'Deployment' && workload.apiVersion === 'apps/v1'
      ? find<Deployment>(manifests, 'Deployment', workload.name, namespace)
      : undefined;
  if (!deployment)
    return [`${at}: workloadRef ${JSON.stringify(workload)} is not a Deployment here`];
  if (JSON.stringify(rollout.spec.selector) !== JSON.stringify(deployment.spec.selector)) {
    problems.push(`${at}: selector differs from Deployment ${ref(deployment)}'s`);
  }
  const canary = rollout.spec.strategy.canary;
  if (!canary) return [...problems, `${at}: has no canary strategy`];
  for (const field of ['canaryService', 'stableService'] as const) {
    const name = canary[field];
    if (name === undefined) continue;
    const service = find<Service>(manifests, 'Service', name, namespace);
    if (!service) problems.push(`${at}: ${field} ${name} does not exist`);
    else if (!selects({ matchLabels: service.spec.selector ?? {} }, podLabels(deployment))) {
      problems.push(`${at}: ${field} ${name} does not select the pods of ${ref(deployment)}`);
    }
  }
  if (canary.canaryService !== undefined && canary.canaryService === canary.stableService) {
    problems.push(`${at}: canaryService and stableService are the same Service`);
  }
  const ingressName = canary.trafficRouting?.nginx?.stableIngress;
  if (ingressName !== undefined) {
    const ingress = find<Ingress>(manifests, 'Ingress', ingressName, namespace);
    const backends = (ingress?.spec.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).map((path) => path.backend.service?.name),
    );
    if (!ingress) problems.push(`${at}: stableIngress ${ingressName} does not exist`);
    else if (!backends.includes(canary.stableService)) {
      problems.push(
        `${at}: stableIngress ${ingressName} does not route to ${canary.stableService}`,
      );
    }
  }
  const given = (canary.analysis?.args ?? []).map((arg) => arg.name);
  for (const { templateName } of canary.analysis?.templates ?? []) {
    const template = templates.find(
      (t) => t.metadata.name === templateName && t.metadata.namespace === namespace,
    );
    if (!template) {
      problems.push(`${at}: AnalysisTemplate ${templateName} does not exist`);
      continue;
    }
    for (const arg of template.spec.args ?? []) {
      if (arg.value === undefined && !given.includes(arg.name)) {
        problems.push(`${at}: gives no value for ${templateName}'s arg ${arg.name}`);
      }
    }
  }
  return problems;
}
