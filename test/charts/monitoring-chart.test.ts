import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { WebService } from '../../charts/constructs/web-service.js';
import { production } from '../../charts/environments.js';
import { DASHBOARD_NAME, MonitoringChart, runbookUrlOf } from '../../charts/monitoring-chart.js';
import { WebServiceMonitor } from '../../charts/monitoring/service-monitor.js';
import { ServiceMonitorSpecEndpointsRelabelingsAction } from '../../imports/servicemonitor-monitoring.coreos.com.js';
import { ServicesChart } from '../../charts/services-chart.js';
import type {
  ConfigMap,
  KubeObject,
  NetworkPolicy,
  PrometheusRule,
  ServiceMonitor,
} from '../support/k8s-types.js';
import { loadManifests, mutate, ofKind } from '../support/manifests.js';
import { scrapeAccessProblems } from './support/network.js';
import { REQUIRED_WEB_SERVICE_PROPS } from './support/web-service-props.js';

type Props = Partial<ConstructorParameters<typeof MonitoringChart>[2]>;

/** The monitoring objects for the two services of a ServicesChart in `namespace`. */
function synth(props: Props = {}, namespace = 'aviary') {
  const services = new ServicesChart(Testing.app(), 'services', { ...production, namespace });
  const chart = new MonitoringChart(Testing.app(), 'monitoring', {
    ...production,
    namespace,
    services: [services.birdImage, services.bird],
    unsplashClient: services.birdImage,
    runbookUrl: runbookUrlOf(production.gitops),
    ...props,
  });
  return Testing.synth(chart) as KubeObject[];
}

const find = <T extends KubeObject>(objects: KubeObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as T;
};

describe('MonitoringChart', () => {
  const objects = synth();

  it('renders the same objects as last time', () => {
    // The dashboard JSON is checked by test/monitoring; here it would only bloat the snapshot.
    expect(objects.filter((o) => o.kind !== 'ConfigMap')).toMatchSnapshot();
  });

  it('creates a ServiceMonitor per service, the alert rules and the dashboard', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ServiceMonitor/aviary/bird-image',
      'ServiceMonitor/aviary/bird',
      'PrometheusRule/aviary/aviary-alerts',
      `ConfigMap/aviary/${DASHBOARD_NAME}`,
    ]);
  });

  it('scrapes the named port http on /metrics every 15 s, keeping Prometheus target labels', () => {
    const monitor = find<ServiceMonitor>(objects, 'ServiceMonitor', 'bird');
    expect(monitor.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics', interval: '15s', honorLabels: false },
    ]);
    // No relabeling: prometheus-operator's own keep the namespace and pod target labels.
    expect(monitor.spec.endpoints[0]?.relabelings).toBeUndefined();
    expect(monitor.spec.podTargetLabels).toEqual([
      'app.kubernetes.io/version',
      'rollouts-pod-template-hash',
    ]);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['aviary'] });
    expect(monitor.spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'bird', 'app.kubernetes.io/part-of': 'aviary' },
    });
  });

  it("carries the labels a default kube-prometheus-stack release's selectors look for", () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      for (const object of objects.filter((o) => o.kind === kind)) {
        expect(object.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      }
    }
    const custom = synth({ prometheusSelectorLabels: { prometheus: 'platform' } });
    expect(find(custom, 'PrometheusRule', 'aviary-alerts').metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'aviary',
      prometheus: 'platform',
    });
  });

  it("ships the dashboard where Grafana's sidecar looks for it", () => {
    const dashboard = find<ConfigMap>(objects, 'ConfigMap', DASHBOARD_NAME);
    // Beside the services: the sidecar of kube-prometheus-stack reads every namespace.
    expect(dashboard.metadata).toMatchObject({
      namespace: 'aviary',
      labels: { grafana_dashboard: '1' },
    });
    expect(Object.keys(dashboard.data ?? {})).toEqual([`${DASHBOARD_NAME}.json`]);
    const elsewhere = synth({ dashboardNamespace: 'grafana' });
    expect(find(elsewhere, 'ConfigMap', DASHBOARD_NAME).metadata.namespace).toBe('grafana');
  });

  it('links every alert to its runbook section', () => {
    const rule = find<PrometheusRule>(
      synth({ runbookUrl: 'https://git.example.com/aviary/blob/release/docs/runbook.md' }),
      'PrometheusRule',
      'aviary-alerts',
    );
    const alerts = rule.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThan(5);
    for (const { alert, annotations } of alerts) {
      expect(annotations?.runbook_url).toBe(
        `https://git.example.com/aviary/blob/release/docs/runbook.md#${alert!.toLowerCase()}`,
      );
    }
  });

  it('scopes every expression to its namespace', () => {
    const rule = find<PrometheusRule>(synth({}, 'birds'), 'PrometheusRule', 'aviary-alerts');
    for (const { expr } of rule.spec.groups.flatMap((g) => g.rules)) {
      expect(String(expr)).toContain('namespace="birds"');
      expect(String(expr)).not.toContain('namespace="aviary"');
    }
  });

  it("picks services in alerts by the job label of their ServiceMonitor's targets", () => {
    const rules = (chart: KubeObject[]) =>
      find<PrometheusRule>(chart, 'PrometheusRule', 'aviary-alerts').spec.groups.flatMap(
        (g) => g.rules,
      );
    const jobsNamed = (chart: KubeObject[]) =>
      new Set(
        rules(chart).flatMap(({ expr, labels }) => [
          ...[...String(expr).matchAll(/\bjob="([^"]+)"/g)].map((match) => match[1]),
          ...(labels?.job ? [labels.job] : []),
        ]),
      );
    const monitored = objects
      .filter((o) => o.kind === 'ServiceMonitor')
      .map((o) => o.metadata.name);
    expect([...jobsNamed(objects)].sort()).toEqual([...monitored].sort());
    const unsplashKeyExpr = (chart: KubeObject[]) =>
      String(rules(chart).find((r) => r.alert === 'AviaryUnsplashKeyMissing')?.expr);
    expect(unsplashKeyExpr(objects)).toContain('job="bird-image"');
    const services = new ServicesChart(Testing.app(), 'services', production);
    const moved = synth({
      services: [services.birdImage, services.bird],
      unsplashClient: services.bird,
    });
    expect(unsplashKeyExpr(moved)).toContain('job="bird"');
    expect(unsplashKeyExpr(moved)).not.toContain('job="bird-image"');
  });

  it('rejects invalid props, saying how to fix them', () => {
    const services = new ServicesChart(Testing.app(), 'services', production);
    expect(() =>
      synth({ services: [services.birdImage], unsplashClient: services.bird }),
    ).toThrowError(/invalid unsplashClient "bird": give one of `services`/);
    expect(() => synth({ services: [] })).toThrowError(
      /MonitoringChart "monitoring": invalid services \[\]: give the WebServices to monitor/,
    );
    expect(() => synth({ runbookUrl: 'docs/runbook.md' })).toThrowError(
      /invalid runbookUrl "docs\/runbook.md": use an https:\/\/ URL/,
    );
    expect(() => synth({ dashboardNamespace: 'Monitoring' })).toThrowError(
      /invalid dashboardNamespace "Monitoring"/,
    );
  });

  it('scrapes through another Service of the pods, relabelled, when asked', () => {
    const chart = new Chart(Testing.app(), 'm', { namespace: 'aviary' });
    const service = new WebService(chart, 'api', REQUIRED_WEB_SERVICE_PROPS);
    const keepBlue = { action: ServiceMonitorSpecEndpointsRelabelingsAction.KEEP, regex: 'blue' };
    const monitor = new WebServiceMonitor(chart, 'm', {
      service,
      through: { name: 'api-blue', selector: { colour: 'blue' }, labels: { team: 'x' } },
      relabelings: [{ ...keepBlue, sourceLabels: ['__meta_kubernetes_pod_label_colour'] }],
    });
    expect(monitor.job).toBe('api-blue');
    const objects = Testing.synth(chart) as KubeObject[];
    const rendered = find<ServiceMonitor>(objects, 'ServiceMonitor', 'api-blue');
    expect(rendered.metadata).toMatchObject({ name: 'api-blue', labels: { team: 'x' } });
    expect(rendered.spec.selector).toEqual({ matchLabels: { colour: 'blue' } });
    expect(rendered.spec.endpoints[0]?.relabelings).toEqual([
      { action: 'keep', regex: 'blue', sourceLabels: ['__meta_kubernetes_pod_label_colour'] },
    ]);
  });

  it('refuses a ServiceMonitor away from its Service, which it could not select', () => {
    const other = new WebService(
      new Chart(Testing.app(), 'x', { namespace: 'other' }),
      'api',
      REQUIRED_WEB_SERVICE_PROPS,
    );
    expect(
      () =>
        new WebServiceMonitor(new Chart(Testing.app(), 'm', { namespace: 'aviary' }), 'm', {
          service: other,
        }),
    ).toThrowError(
      /WebServiceMonitor "api": invalid service "other\/api": create the monitor in a chart of namespace "other"/,
    );
  });
});

describe('Prometheus may scrape what the ServiceMonitors ask for, and nothing more', () => {
  const manifests = loadManifests();

  it('through exactly one rule per Deployment, on the metrics port only', () => {
    // bird, bird-image, and bird-canary (dist/rollouts/): the canary's pods, through its Service.
    expect(ofKind<ServiceMonitor>(manifests, 'ServiceMonitor')).toHaveLength(3);
    expect(scrapeAccessProblems(manifests, production.monitoringNamespace)).toEqual([]);
  });

  it('reports a missing rule, a duplicate, and a rule opening more than the metrics port', () => {
    const policy = 'bird-allow-ingress';
    const withoutRule = mutate<NetworkPolicy>(manifests, 'NetworkPolicy', policy, (p) => {
      p.spec.ingress = p.spec.ingress!.filter(
        (rule) => !JSON.stringify(rule).includes('monitoring'),
      );
    });
    const duplicated = mutate<NetworkPolicy>(manifests, 'NetworkPolicy', policy, (p) => {
      p.spec.ingress!.push(structuredClone(p.spec.ingress!.at(-1)!));
    });
    const wider = mutate<NetworkPolicy>(manifests, 'NetworkPolicy', policy, (p) => {
      p.spec.ingress!.at(-1)!.ports!.push({ port: 9229, protocol: 'TCP' });
    });
    expect(scrapeAccessProblems(withoutRule, 'monitoring')).toEqual([
      'Deployment aviary/bird: 0 ingress rules admit namespace monitoring',
    ]);
    expect(scrapeAccessProblems(duplicated, 'monitoring')).toEqual([
      'Deployment aviary/bird: 2 ingress rules admit namespace monitoring',
    ]);
    expect(scrapeAccessProblems(wider, 'monitoring')).toEqual([
      'Deployment aviary/bird: namespace monitoring may reach 9229, http, not http',
    ]);
    // Every pod of the monitoring namespace (Grafana, the exporters) is not Prometheus.
    const wholeNamespace = mutate<NetworkPolicy>(manifests, 'NetworkPolicy', policy, (p) => {
      delete p.spec.ingress!.at(-1)!.from![0]!.podSelector;
    });
    expect(scrapeAccessProblems(wholeNamespace, 'monitoring')).toEqual([
      'Deployment aviary/bird: 0 ingress rules admit namespace monitoring',
    ]);
  });
});
