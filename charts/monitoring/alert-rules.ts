import {
  CERTIFICATE_EXPIRY_METRIC,
  KUBE_STATE_METRICS,
  PROMETHEUS_METRICS,
} from './platform-metrics.js';
import { Construct } from 'constructs';
import { CIRCUIT_STATE_VALUE, SERVICE_METRICS } from '../../apps/shared/operational-contract.js';
import {
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
} from '../../imports/prometheusrule-monitoring.coreos.com.js';
import { APPLICATION } from '../application.js';
import { FALLBACK_RATIO_THRESHOLD, scoped } from './promql.js';
import { BURN_RATE_WINDOWS, SLO, burnRateExpr, sloRecordingRules } from './slo.js';

const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;

/** One alerting rule, before it becomes part of a PrometheusRule. */
export interface AlertDefinition {
  /** Alert name; its runbook section is the heading of the same name. */
  readonly alert: string;
  readonly expr: string;
  /** How long the expression must hold before the alert fires. */
  readonly for: string;
  /** `critical` pages the on-call engineer; `warning` waits for working hours. */
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  readonly description: string;
  /** Labels the expression cannot carry itself (`absent()` returns none). @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** What the rules are written against. */
export interface AlertScope {
  /** Namespace of the services; every selector is scoped to it. */
  readonly namespace: string;
  /** The `job` label of each service's targets (`WebServiceMonitor.job`). */
  readonly services: readonly string[];
  /** The `job` label of the service that looks bird names up on Unsplash (birdImage). */
  readonly unsplashClient: string;
  /** The cert-manager Certificate (named after its Secret) of the Ingress. */
  readonly certificateName: string;
}

/**
 * The alerts of docs/contract.md#alerts and of the runbook (`docs/runbook.md`, which explains each threshold),
 * in the order an incident unfolds: can we see the services, do they answer, how fast, how
 * degraded, and what Kubernetes says about their pods.
 */
export function alertDefinitions({
  namespace,
  services,
  unsplashClient,
  certificateName,
}: AlertScope): AlertDefinition[] {
  const metric = scoped(namespace);
  const byService = 'sum by (namespace, job)';
  const objective = `${SLO.objective * 100} % of GET requests without a 5xx within ${SLO.latencySeconds} s`;
  const upstream = (outcome: string) =>
    `sum by (namespace, job, upstream) (rate(${metric(SERVICE_METRICS.upstreamRequests, outcome)}[10m]))`;
  const perPod = 'max by (namespace, pod)';
  // cert-manager's own metric; its ServiceMonitor keeps the Certificate's namespace as
  // `exported_namespace` (the target's `namespace` is cert-manager's).
  const certificateExpiry = `${CERTIFICATE_EXPIRY_METRIC}{exported_namespace="${namespace}", name="${certificateName}"}`;
  const hpa = (name: string) => `max by (namespace, horizontalpodautoscaler) (${metric(name)})`;

  return [
    // One rule per service: absent() returns a single unlabelled series, whatever it is given.
    ...services.map((service): AlertDefinition => ({
      alert: 'AviaryTargetsDown',
      expr: `absent(${metric(PROMETHEUS_METRICS.up, `job="${service}"`)} == 1)`,
      for: '5m',
      severity: 'critical',
      labels: { namespace, job: service },
      summary: `Prometheus scrapes no ${service} pod.`,
      description:
        `No target of ${namespace}/${service} has answered a scrape for 5 minutes: every pod ` +
        'is down, or Prometheus cannot reach them (NetworkPolicy, ServiceMonitor), and every ' +
        'other alert of this service is blind.',
    })),
    {
      alert: 'AviaryErrorBudgetBurnFast',
      expr: burnRateExpr(namespace, BURN_RATE_WINDOWS.fast),
      for: '2m',
      severity: 'critical',
      summary: `{{ $labels.job }} is spending its error budget fast (objective: ${objective}).`,
      description:
        '{{ $labels.namespace }}/{{ $labels.job }} fails or is too slow for so many requests ' +
        '({{ $value | humanizePercentage }} now) that, at this pace, the 30-day error budget is ' +
        'gone within two days (burn rate 14.4 over 1 h, or 6 over 6 h).',
    },
    {
      alert: 'AviaryErrorBudgetBurnSlow',
      expr: burnRateExpr(namespace, BURN_RATE_WINDOWS.slow),
      for: '15m',
      severity: 'warning',
      summary: `{{ $labels.job }} is spending its error budget faster than it lasts (objective: ${objective}).`,
      description:
        '{{ $labels.namespace }}/{{ $labels.job }} has failed or been slow for ' +
        '{{ $value | humanizePercentage }} of its requests over hours: at this pace the 30-day ' +
        'error budget runs out before the month does (burn rate 3 over a day, or 1 over 3 days).',
    },
    {
      alert: 'AviaryHighFallbackRatio',
      expr: `(${upstream('outcome="fallback"')} / ${upstream('outcome!="fallback"')}) > ${FALLBACK_RATIO_THRESHOLD}`,
      for: '15m',
      severity: 'warning',
      summary: `{{ $labels.job }} degrades more than ${percent(FALLBACK_RATIO_THRESHOLD)} of its {{ $labels.upstream }} answers.`,
      description:
        '{{ $value | humanizePercentage }} of the calls {{ $labels.namespace }}/{{ $labels.job }} ' +
        'made to {{ $labels.upstream }} over 10 minutes ended in a fallback (default image or ' +
        'disguised bird) instead of the real answer.',
    },
    {
      alert: 'AviaryCircuitBreakerOpen',
      expr:
        `max by (namespace, job, pod, upstream) (${metric(SERVICE_METRICS.circuitBreakerState)}) > ${CIRCUIT_STATE_VALUE.closed}\n` +
        'and on (namespace, job, pod, upstream) sum by (namespace, job, pod, upstream) ' +
        `(rate(${metric(SERVICE_METRICS.upstreamRequests, 'outcome="circuit_open"')}[5m])) > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'The {{ $labels.upstream }} circuit breaker of {{ $labels.pod }} has stayed open.',
      description:
        'For 10 minutes {{ $labels.namespace }}/{{ $labels.pod }} has kept its ' +
        '{{ $labels.upstream }} breaker open and turned calls away: every trial call (one each ' +
        '10 s) failed, so {{ $labels.upstream }} is down or unreachable.',
    },
    {
      alert: 'AviaryPodsNotReady',
      expr:
        `${perPod} (${metric(KUBE_STATE_METRICS.podStatusPhase, 'phase=~"Pending|Unknown"')}) == 1\n` +
        `or (${perPod} (${metric(KUBE_STATE_METRICS.podStatusReady, 'condition="false"')}) == 1\n` +
        `  unless on (namespace, pod) ${perPod} (${metric(KUBE_STATE_METRICS.podStatusPhase, 'phase=~"Failed|Succeeded"')}) == 1)`,
      for: '15m',
      severity: 'warning',
      summary: 'Pod {{ $labels.pod }} has not been ready for 15 minutes.',
      description:
        '{{ $labels.namespace }}/{{ $labels.pod }} is pending or not ready: it takes no traffic, ' +
        'and the service runs with less capacity (and less headroom for a drain) than planned.',
    },
    {
      alert: 'AviaryHpaMaxedOut',
      expr:
        `${hpa(KUBE_STATE_METRICS.hpaCurrentReplicas)} >= ${hpa(KUBE_STATE_METRICS.hpaMaxReplicas)}\n` +
        `and on (namespace, horizontalpodautoscaler) ${hpa(KUBE_STATE_METRICS.hpaMaxReplicas)} > ${hpa(KUBE_STATE_METRICS.hpaMinReplicas)}`,
      for: '15m',
      severity: 'warning',
      summary:
        '{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for 15 minutes.',
      description:
        'The autoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} cannot add ' +
        'pods: load above this point goes to pods that are already at their target, and latency ' +
        'follows.',
    },
    {
      alert: 'AviaryUnsplashKeyMissing',
      // With a key every named lookup goes through the Unsplash cache; without one, none does.
      expr:
        `${byService} (rate(${metric(SERVICE_METRICS.httpRequests, `job="${unsplashClient}"`, 'route="/"', 'status=~"2.."')}[30m])) > 0\n` +
        `unless on (namespace, job) ${byService} (rate(${metric(SERVICE_METRICS.cacheLookups, `job="${unsplashClient}"`, 'cache="unsplash"')}[30m])) > 0`,
      for: '30m',
      severity: 'warning',
      summary: 'birdImage answers without an Unsplash key: every bird gets the default image.',
      description:
        '{{ $labels.namespace }}/{{ $labels.job }} has served images for 30 minutes without ' +
        'looking one up on Unsplash: the Secret `unsplash` is missing or has no `access-key`, ' +
        'so every answer is the default image.',
    },
    {
      alert: 'AviaryCertificateExpiringSoon',
      expr: `min by (exported_namespace, name) (${certificateExpiry}) - time()\n< 14 * 24 * 3600`,
      for: '1h',
      severity: 'warning',
      summary: 'The TLS certificate {{ $labels.name }} expires in less than 14 days.',
      description:
        'cert-manager renews certificates 30 days before they expire; ' +
        '{{ $labels.exported_namespace }}/{{ $labels.name }} expires in ' +
        '{{ $value | humanizeDuration }} and has not been renewed, so the renewal is failing.',
    },
    {
      // Without the series the alert above is silent whatever the certificate does: cert-manager
      // is not scraped (its ServiceMonitor lacks the labels Prometheus selects), or it does not
      // know the Certificate.
      alert: 'AviaryCertificateMetricMissing',
      expr: `absent(${certificateExpiry})`,
      for: '1h',
      severity: 'warning',
      labels: { exported_namespace: namespace, name: certificateName },
      summary: `Prometheus has no expiry time for the TLS certificate ${certificateName}.`,
      description:
        `For an hour no series ${CERTIFICATE_EXPIRY_METRIC} has named ${namespace}/${certificateName}: ` +
        'Prometheus does not scrape cert-manager, or cert-manager has no such Certificate, and ' +
        'AviaryCertificateExpiringSoon cannot fire.',
    },
    {
      alert: 'AviaryContainerRestarting',
      expr: `max by (namespace, pod, container) (increase(${metric(KUBE_STATE_METRICS.containerRestarts)}[30m])) > 2`,
      for: '5m',
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.pod }} keeps restarting.',
      description:
        '{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) restarted ' +
        '{{ $value | humanize }} times in 30 minutes: it crashes, is OOM-killed, or fails its ' +
        'liveness probe.',
    },
  ];
}

/** Props of {@link AlertRules}. */
export interface AlertRulesProps extends AlertScope {
  /** The runbook; each alert links to `<runbookUrl>#<alert name in lower case>`. */
  readonly runbookUrl: string;
  /** Labels of the PrometheusRule, including those Prometheus's `ruleSelector` looks for. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The anchor GitHub gives a heading that is exactly an alert name. */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

/**
 * The PrometheusRule `aviary-alerts`: the SLO's recording rules (group `aviary-slo`, evaluated
 * first) and {@link alertDefinitions} (group `aviary`).
 */
export class AlertRules extends Construct {
  constructor(scope: Construct, id: string, props: AlertRulesProps) {
    super(scope, id);
    const rules = alertDefinitions(props).map((definition) => ({
      alert: definition.alert,
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(definition.expr),
      for: definition.for,
      labels: { severity: definition.severity, ...definition.labels },
      annotations: {
        summary: definition.summary,
        description: definition.description,
        runbook_url: `${props.runbookUrl}#${runbookAnchor(definition.alert)}`,
      },
    }));
    new PrometheusRule(this, 'Rule', {
      metadata: { name: 'aviary-alerts', labels: { ...props.labels } },
      spec: {
        groups: [
          {
            name: 'aviary-slo',
            rules: sloRecordingRules(props.namespace).map((rule) => ({
              record: rule.record,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
            })),
          },
          { name: APPLICATION, rules },
        ],
      },
    });
  }
}
