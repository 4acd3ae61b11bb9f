import { Construct } from 'constructs';
import {
  Rollout,
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanaryStepsPauseDuration,
  type RolloutSpecStrategyCanarySteps,
} from '../../imports/argo-rollout-argoproj.io.js';
import { ServiceMonitorSpecEndpointsRelabelingsAction } from '../../imports/servicemonitor-monitoring.coreos.com.js';
import { addAutoscaler, addService } from '../constructs/web-objects.js';
import type { ControllerField } from '../gitops-units.js';
import type { WebService } from '../constructs/web-service.js';
import { WebServiceMonitor } from '../monitoring/service-monitor.js';
import { POD_TEMPLATE_HASH_LABEL, targetLabelName } from '../monitoring/target-labels.js';
import { ANALYSIS_ARGS } from './analysis.js';
import { SURGE_PODS } from '../pod-budget.js';

/** The traffic share of each canary step, in percent; each is held for {@link STEP_PAUSE}. */
export const CANARY_WEIGHTS = [10, 25, 50, 100] as const;

/**
 * How long each step is held: five measurements of every objective (one a minute), each over the
 * last two minutes of the canary's traffic.
 */
export const STEP_PAUSE = '5m';

/**
 * The pod label Argo Rollouts sets to `canary` or `stable` as pods change role ("ephemeral
 * metadata"): a promoted canary's pods are relabelled `stable` in place.
 */
export const TRACK_LABEL = 'aviary.dev/track';

/** Props of {@link CanaryRollout}. */
export interface CanaryRolloutProps {
  /** The service whose Deployment the Rollout takes over. */
  readonly service: WebService;
  /** AnalysisTemplates run in the background from the first step; each takes {@link ANALYSIS_ARGS}. */
  readonly analysisTemplates: readonly string[];
  /**
   * Splits traffic through ingress-nginx: the canary gets its weight of the requests whatever
   * its pod count. Without it, the weight is a share of the pods behind the one Service.
   * @default a share of the pods
   */
  readonly ingressName?: string;
  /** Labels Prometheus's `serviceMonitorSelector` looks for (the canary's own ServiceMonitor). @default {} */
  readonly prometheusSelectorLabels?: Readonly<Record<string, string>>;
}

/**
 * An Argo Rollouts canary that takes over a {@link WebService}'s Deployment (`workloadRef`): the
 * Deployment stays the one source of the pod template, so `dist/` without this layer still
 * deploys the same pods. Once the Rollout's first pods are healthy, Argo Rollouts scales the
 * Deployment to zero (`scaleDown: onsuccess`, on the first release only: Argo Rollouts v1.9.1,
 * rollout/sync.go, never scales it up again). The autoscaler `<name>`, the name of the
 * Deployment's own, scales the Rollout on the same bounds and targets: applied after the top
 * level it retargets that autoscaler, so no two autoscalers ever select these pods (Kubernetes'
 * HPA controller would stop both, `AmbiguousSelector`).
 *
 * With `ingressName`, bird's way: Argo Rollouts points the Service `<name>` at the stable pods
 * and `<name>-canary` at the canary's, and creates a canary Ingress with the step's weight. The
 * Service `<name>` then no longer reaches the canary, so `<name>-canary` gets a ServiceMonitor of
 * its own that keeps the pods labelled `canary` only (in steady state both Services select the
 * stable pods, which must not be scraped twice).
 */
export class CanaryRollout extends Construct {
  /** The Rollout's name: the service's. */
  public readonly name: string;
  /** The Service of the canary's pods (traffic routing only). */
  public readonly canaryServiceName?: string;
  /** What Argo Rollouts writes on the service's own objects (the Deployment, its Service). */
  public readonly fieldsOnService: readonly ControllerField[];
  /** What Argo Rollouts writes on this construct's objects (the canary Service). */
  public readonly fieldsOnOwnObjects: readonly ControllerField[];

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    const { service } = props;
    this.name = service.name;
    const identity = {
      owner: `CanaryRollout "${this.name}"`,
      selector: service.selector,
      labels: service.labels,
    };
    if (props.ingressName) {
      this.canaryServiceName = `${this.name}-canary`;
      // Labels of its own: the service's ServiceMonitor must not select this Service too.
      addService(this, { ...identity, name: this.canaryServiceName }, service.servicePort, {
        ...service.labels,
        'app.kubernetes.io/name': this.canaryServiceName,
      });
      this.addCanaryMonitor(service, props.prometheusSelectorLabels ?? {});
    }
    this.addRollout(props);
    // `scaleDown: onsuccess` sets the taken-over Deployment's replicas to 0; with traffic routing,
    // each Service's selector gains the hash of the pods it must reach.
    const scaledDown = {
      group: 'apps',
      kind: 'Deployment',
      name: this.name,
      jsonPointer: '/spec/replicas',
    };
    const hashed = (name: string): ControllerField => ({
      group: '',
      kind: 'Service',
      name,
      jsonPointer: `/spec/selector/${POD_TEMPLATE_HASH_LABEL}`,
    });
    this.fieldsOnService = props.ingressName ? [scaledDown, hashed(this.name)] : [scaledDown];
    this.fieldsOnOwnObjects = this.canaryServiceName ? [hashed(this.canaryServiceName)] : [];
    addAutoscaler(this, { ...identity, name: this.name }, service.autoscaling, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: this.name,
    });
  }

  private addRollout(props: CanaryRolloutProps): void {
    const { service } = props;
    const steps: RolloutSpecStrategyCanarySteps[] = CANARY_WEIGHTS.flatMap((weight) => [
      { setWeight: weight },
      { pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(STEP_PAUSE) } },
    ]);
    const trafficRouting = props.ingressName
      ? {
          canaryService: this.canaryServiceName,
          stableService: this.name,
          trafficRouting: { nginx: { stableIngress: props.ingressName } },
          canaryMetadata: { labels: { [TRACK_LABEL]: 'canary' } },
          stableMetadata: { labels: { [TRACK_LABEL]: 'stable' } },
        }
      : {};
    new Rollout(this, 'Rollout', {
      metadata: { name: this.name, labels: { ...service.labels } },
      spec: {
        // No `replicas`: the autoscaler `<name>` owns the count, as it owned the Deployment's.
        selector: { matchLabels: { ...service.selector } },
        workloadRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: service.name,
          scaleDown: 'onsuccess',
        },
        revisionHistoryLimit: 3,
        // Canary pods that never become ready (a crash, a quota) abort the release after 10 min.
        progressDeadlineSeconds: 600,
        progressDeadlineAbort: true,
        strategy: {
          canary: {
            ...trafficRouting,
            // Pods come before they are needed and none goes early: capacity never dips.
            maxSurge: RolloutSpecStrategyCanaryMaxSurge.fromNumber(SURGE_PODS),
            maxUnavailable: RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(0),
            analysis: {
              templates: props.analysisTemplates.map((templateName) => ({ templateName })),
              args: [
                { name: ANALYSIS_ARGS.service, value: service.name },
                {
                  name: ANALYSIS_ARGS.canaryHash,
                  valueFrom: { podTemplateHashValue: 'Latest' },
                },
              ],
            },
            steps,
          },
        },
      },
    });
  }

  private addCanaryMonitor(
    service: WebService,
    selectorLabels: Readonly<Record<string, string>>,
  ): void {
    const name = this.canaryServiceName!;
    new WebServiceMonitor(this, 'CanaryMonitor', {
      service,
      through: {
        name,
        selector: { 'app.kubernetes.io/name': name },
        labels: { ...service.labels, 'app.kubernetes.io/name': name },
      },
      selectorLabels,
      relabelings: [
        {
          action: ServiceMonitorSpecEndpointsRelabelingsAction.KEEP,
          sourceLabels: [`__meta_kubernetes_pod_label_${targetLabelName(TRACK_LABEL)}`],
          regex: 'canary',
        },
      ],
    });
  }
}
