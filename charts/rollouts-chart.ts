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
import { ANALYSIS_ARGS, analysisObjectives } from './rollouts/analysis.js';
import { CanaryRollout } from './rollouts/canary-rollout.js';

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
 * per service that takes over its Deployment, and one AnalysisTemplate per objective of the
 * canary's own metrics, run in the background from the first step. A failed measurement twice
 * aborts the release: the canary gets no more traffic and its pods go, the stable pods never
 * left. docs/releasing.md, "Progressive delivery", tells the flow and the commands.
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
    const templates = analysisObjectives(namespace).map((objective) => {
      new AnalysisTemplate(this, objective.name, {
        metadata: {
          name: objective.name,
          labels: sharedLabels,
          annotations: { 'aviary.dev/summary': objective.summary },
        },
        spec: {
          args: Object.values(ANALYSIS_ARGS).map((name) => ({ name })),
          metrics: [
            {
              name: objective.name,
              // No `count`: a background analysis measures until the Rollout completes.
              initialDelay: '1m',
              interval: '1m',
              // One bad minute is noise; a second one aborts.
              failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(1),
              // No canary series at all a few times: pause and let a human decide.
              inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(3),
              successCondition: objective.successCondition,
              failureCondition: objective.failureCondition,
              provider: { prometheus: { address: props.prometheusUrl, query: objective.query } },
            },
          ],
        },
      });
      return objective.name;
    });

    const birdImage = new CanaryRollout(this, 'bird-image', {
      service: props.birdImage,
      analysisTemplates: templates,
    });
    const bird = new CanaryRollout(this, 'bird', {
      service: props.bird,
      analysisTemplates: templates,
      ingressName:
        props.bird.ingressName ?? failProp(owner, 'bird', props.bird.name, 'give bird an ingress'),
      prometheusSelectorLabels: props.prometheusSelectorLabels,
    });
    this.fieldsOnServices = [...birdImage.fieldsOnService, ...bird.fieldsOnService];
    this.fieldsOnOwnObjects = [...birdImage.fieldsOnOwnObjects, ...bird.fieldsOnOwnObjects];
  }
}
