import { JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import { NamespacedChart } from './constructs/namespaced-chart.js';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetricsFailureLimit,
  AnalysisTemplateSpecMetricsInconclusiveLimit,
} from '../imports/argo-analysistemplate-argoproj.io.js';
import { failProp } from './constructs/props.js';
import type { WebService } from './constructs/web-service.js';
import type { AviaryEnvironment } from './environments.js';
import type { ControllerField } from './gitops-units.js';
import {
  ANALYSIS_ARGS,
  analysisObjectives,
  RESTARTS_OBJECTIVE,
  restartsObjective,
} from './rollouts/analysis.js';
import { CONTRACT_CHECK_OBJECTIVE, contractCheckJob } from './rollouts/contract-check-metric.js';
import { CanaryRollout } from './rollouts/canary-rollout.js';

/** How often each metric measures (and the first Prometheus look waits as long). */
const ANALYSIS_INTERVAL = '1m';

/** Every AnalysisTemplate, each run in the background of both Rollouts. */
const TEMPLATE_NAMES = [
  ...analysisObjectives('').map(({ name }) => name),
  RESTARTS_OBJECTIVE,
  CONTRACT_CHECK_OBJECTIVE,
] as const;

/**
 * Props of {@link RolloutsChart}: the namespace of the services (the Rollouts and templates go
 * there too), Prometheus's in-cluster URL, which the analysis queries, and the labels its
 * `serviceMonitorSelector` looks for.
 */
export interface RolloutsChartProps extends Pick<
  AviaryEnvironment,
  'namespace' | 'prometheusUrl' | 'prometheusSelectorLabels'
> {
  /** bird: canary by traffic weight through its Ingress (it must have one). */
  readonly bird: WebService;
  /** birdImage: canary by share of pods (it is reached through its Service only). */
  readonly birdImage: WebService;
}

/**
 * Progressive delivery with Argo Rollouts (optional layer, `dist/rollouts/`): a canary Rollout
 * per service that takes over its Deployment, and AnalysisTemplates run in the background from
 * the first step: one per objective of the canary's own metrics, one on its restarts, and one
 * whose Job runs bird's contract check against the canary (the evidence a quiet canary lacks).
 * The second failed measurement of any aborts the release: the canary gets no more traffic and
 * its pods go, the stable pods never left. docs/releasing.md, "Progressive delivery", tells the
 * flow and the commands.
 */
export class RolloutsChart extends NamespacedChart {
  /** Fields Argo Rollouts writes on the services' objects (GitOps must keep them). */
  public readonly fieldsOnServices: readonly ControllerField[];
  /** Fields Argo Rollouts writes on this chart's objects. */
  public readonly fieldsOnOwnObjects: readonly ControllerField[];

  constructor(scope: Construct, id: string, props: RolloutsChartProps) {
    super(scope, id, 'RolloutsChart', props);
    const namespace = this.namespaceName;
    const owner = this.owner;
    if (!/^https?:\/\/[^\s/]+(:\d+)?$/.test(props.prometheusUrl)) {
      failProp(
        owner,
        'prometheusUrl',
        props.prometheusUrl,
        'use a base URL such as "http://prometheus.monitoring:9090"',
      );
    }

    // The templates serve both services: labelled with what the services share.
    const sharedLabels = Object.fromEntries(
      ['app.kubernetes.io/part-of', 'app.kubernetes.io/instance'].flatMap((key) => {
        const value = props.bird.labels[key];
        return value === undefined ? [] : [[key, value]];
      }),
    );
    const birdImage = new CanaryRollout(this, 'bird-image', {
      service: props.birdImage,
      analysisTemplates: [...TEMPLATE_NAMES],
    });
    const bird = new CanaryRollout(this, 'bird', {
      service: props.bird,
      analysisTemplates: [...TEMPLATE_NAMES],
      ingressName:
        props.bird.ingressName ?? failProp(owner, 'bird', props.bird.name, 'give bird an ingress'),
      prometheusSelectorLabels: props.prometheusSelectorLabels,
    });

    const metricTemplate = (name: string, summary: string, metric: Record<string, unknown>) =>
      new AnalysisTemplate(this, name, {
        metadata: { name, labels: sharedLabels, annotations: { 'aviary.dev/summary': summary } },
        spec: {
          args: Object.values(ANALYSIS_ARGS).map((name) => ({ name })),
          metrics: [
            {
              name,
              // No `count`: a background analysis measures until the Rollout completes.
              interval: ANALYSIS_INTERVAL,
              // Argo Rollouts v1.9.1 (analysis/analysis.go) fails a metric once its failed
              // measurements exceed `failureLimit`: one bad minute is noise, a second aborts.
              failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(1),
              ...metric,
              provider: {},
            },
          ],
        },
      });
    for (const objective of [...analysisObjectives(namespace), restartsObjective(namespace)]) {
      metricTemplate(objective.name, objective.summary, {
        // The first minute's requests (the contract check's among them) before the first look.
        initialDelay: ANALYSIS_INTERVAL,
        // Inconclusive measurements add up over the whole run (analysis/analysis.go): the
        // fourth with no evidence pauses the release for a person.
        inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(3),
        successCondition: objective.successCondition,
        failureCondition: objective.failureCondition,
      }).addJsonPatch(
        JsonPatch.add('/spec/metrics/0/provider/prometheus', {
          address: props.prometheusUrl,
          query: objective.query,
        }),
      );
    }
    // bird's contract check through the canary Service: during bird's release it reaches the
    // canary's pods only; during birdImage's (which has no canary Service) it reaches bird's
    // stable pods, whose image calls go to birdImage's Service, canary pods among its endpoints.
    metricTemplate(
      CONTRACT_CHECK_OBJECTIVE,
      "bird's contract check, run as a Job against the canary Service every interval.",
      {},
    ).addJsonPatch(
      JsonPatch.add(
        '/spec/metrics/0/provider/job',
        contractCheckJob(props.bird, `http://${bird.canaryServiceName!}`),
      ),
    );

    this.fieldsOnServices = [...birdImage.fieldsOnService, ...bird.fieldsOnService];
    this.fieldsOnOwnObjects = [...birdImage.fieldsOnOwnObjects, ...bird.fieldsOnOwnObjects];
  }
}
