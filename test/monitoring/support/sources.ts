import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_NAME } from '../../../charts/monitoring-chart.js';
import type { ConfigMap, PrometheusRule, PrometheusRuleRule } from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import type { Expression } from './promql.js';

/** The alerting rules of every PrometheusRule in `manifests`. */
export function alertingRules(manifests: readonly Manifest[]): PrometheusRuleRule[] {
  return ofKind<PrometheusRule>(manifests, 'PrometheusRule')
    .flatMap((rule) => rule.spec.groups.flatMap((group) => group.rules))
    .filter((rule) => rule.alert !== undefined);
}

/** The recording rules of every PrometheusRule in `manifests`. */
export function recordingRules(manifests: readonly Manifest[]): PrometheusRuleRule[] {
  return ofKind<PrometheusRule>(manifests, 'PrometheusRule')
    .flatMap((rule) => rule.spec.groups.flatMap((group) => group.rules))
    .filter((rule) => rule.record !== undefined);
}

/** The expression of every alerting rule, named after its alert. */
export function ruleExpressions(rules: readonly PrometheusRuleRule[]): Expression[] {
  return rules.map((rule) => ({
    source: rule.alert ? `alert ${rule.alert}` : `record ${rule.record}`,
    expr: String(rule.expr),
  }));
}

/** The dashboard ConfigMap of `manifests`. */
export function dashboardConfigMap(manifests: readonly Manifest[]): ConfigMap {
  const found = ofKind<ConfigMap>(manifests, 'ConfigMap').find(
    (cm) => cm.metadata.name === DASHBOARD_NAME,
  );
  if (!found) throw new Error(`no ConfigMap ${DASHBOARD_NAME}`);
  return found;
}

/** The dashboard JSON the ConfigMap ships, parsed. */
export function shippedDashboard(manifests: readonly Manifest[]): Dashboard {
  const json = dashboardConfigMap(manifests).data?.[`${DASHBOARD_NAME}.json`];
  if (json === undefined) throw new Error(`ConfigMap ${DASHBOARD_NAME} holds no dashboard`);
  return JSON.parse(json) as Dashboard;
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(dashboard: Dashboard): (Panel | RowPanel)[] {
  return (dashboard.panels ?? []).flatMap((panel) =>
    panel.type === 'row' ? [panel, ...(panel as RowPanel).panels] : [panel],
  );
}

/** The PromQL of every query of every panel, named after panel and query. */
export function dashboardExpressions(dashboard: Dashboard): Expression[] {
  return allPanels(dashboard).flatMap((panel) =>
    ((panel as Panel).targets ?? []).map((target) => {
      const query = target as { refId?: string; expr?: unknown };
      return {
        source: `panel ${panel.id} "${panel.title}" ${query.refId}`,
        expr: String(query.expr),
      };
    }),
  );
}
