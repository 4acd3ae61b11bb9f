import { KUBE_STATE_METRICS } from './platform-metrics.js';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
} from '../../imports/prometheusrule-monitoring.coreos.com.js';
import { checkDnsLabel } from '../constructs/props.js';
import { runbookAnchor, type AlertDefinition } from './alert-rules.js';
import { scoped } from './promql.js';

/** Props of {@link SyntheticCheckRules}. */
export interface SyntheticCheckRulesProps {
  /** Namespace of the CronJob; the rule goes there too. */
  readonly namespace: string;
  /** Name of the CronJob (kube-state-metrics' `owner_name` of its Jobs). */
  readonly cronJobName: string;
  /** The runbook; the alert links to `<runbookUrl>#<alert name in lower case>`. */
  readonly runbookUrl: string;
  /** Labels of the PrometheusRule, including those Prometheus's `ruleSelector` looks for. */
  readonly labels: Readonly<Record<string, string>>;
}

/** How far back failed checks count: a little over three runs at one every 5 minutes. */
const LOOKBACK_SECONDS = 16 * 60;

/**
 * The synthetic check's alert: two failed checks among the Jobs started in the last
 * {@link LOOKBACK_SECONDS}, read from kube-state-metrics (v2) job metrics. `kube_job_owner` ties
 * a Job to its CronJob; a Job's start time keeps old failures (`failedJobsHistoryLimit` keeps
 * three) from firing forever.
 */
export function syntheticCheckAlert({
  namespace,
  cronJobName,
}: Pick<SyntheticCheckRulesProps, 'namespace' | 'cronJobName'>): AlertDefinition {
  const metric = scoped(namespace);
  const owned = metric(
    KUBE_STATE_METRICS.jobOwner,
    'owner_kind="CronJob"',
    `owner_name="${cronJobName}"`,
  );
  return {
    alert: 'AviarySyntheticCheckFailing',
    expr:
      'count by (namespace, owner_name) (\n' +
      `  (${metric(KUBE_STATE_METRICS.jobFailed)} > 0)\n` +
      `  * on (namespace, job_name) group_left (owner_name) ${owned}\n` +
      `  and on (namespace, job_name) (time() - ${metric(KUBE_STATE_METRICS.jobStartTime)}) < ${LOOKBACK_SECONDS}\n` +
      ') >= 2',
    for: '0m',
    severity: 'critical',
    summary: 'bird answers its synthetic check with a broken contract.',
    description:
      'Two or more runs of {{ $labels.namespace }}/{{ $labels.owner_name }} failed in the last ' +
      '15 minutes: bird, called through its Service as a client would, did not answer ' +
      '200 JSON with a name, a description and an image URL (or did not answer in time).',
  };
}

/**
 * The PrometheusRule `aviary-synthetic-check`, a rule group of its own beside `aviary-alerts`
 * (dist/monitoring/synthetic-check.k8s.yaml).
 */
export class SyntheticCheckRules extends Chart {
  constructor(scope: Construct, id: string, props: SyntheticCheckRulesProps) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true });
    checkDnsLabel(`SyntheticCheckRules "${id}"`, 'namespace', props.namespace);
    const definition = syntheticCheckAlert(props);
    new PrometheusRule(this, 'Rule', {
      metadata: { name: 'aviary-synthetic-check', labels: { ...props.labels } },
      spec: {
        groups: [
          {
            name: 'aviary-synthetic-check',
            rules: [
              {
                alert: definition.alert,
                expr: PrometheusRuleSpecGroupsRulesExpr.fromString(definition.expr),
                for: definition.for,
                labels: { severity: definition.severity },
                annotations: {
                  summary: definition.summary,
                  description: definition.description,
                  runbook_url: `${props.runbookUrl}#${runbookAnchor(definition.alert)}`,
                },
              },
            ],
          },
        ],
      },
    });
  }
}
