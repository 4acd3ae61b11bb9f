/**
 * The few lines of two Helm charts' templates that decide whether kube-prometheus-stack's
 * Prometheus scrapes cert-manager, restated as functions of the values (facts copied from each
 * chart's source at the version named; no Helm on these machines, and no network to fetch a
 * chart). Each function reads the values the way its template does, over the chart's defaults.
 */

type Values = Readonly<Record<string, unknown>>;
type Labels = Readonly<Record<string, string>>;

/** Helm's merge of user values over a chart's defaults: maps merge, anything else replaces. */
function merged(defaults: Values, values: Values): Values {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    const base = out[key];
    const bothMaps = [base, value].every(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    );
    out[key] = bothMaps ? merged(base as Values, value as Values) : value;
  }
  return out;
}

/**
 * cert-manager v1.21.1, deploy/charts/cert-manager/values.yaml (`prometheus:`): the keys the
 * ServiceMonitor template reads, at their defaults. The ServiceMonitor is off by default.
 */
const CERT_MANAGER_DEFAULTS: Values = {
  prometheus: {
    enabled: true,
    servicemonitor: { enabled: false, prometheusInstance: 'default', labels: {} },
    podmonitor: { enabled: false },
  },
};

/**
 * The labels of the ServiceMonitor cert-manager v1.21.1's chart renders for `values`, or
 * `undefined` when it renders none (deploy/charts/cert-manager/templates/servicemonitor.yaml):
 * only with `prometheus.enabled` and `prometheus.servicemonitor.enabled` (and not the PodMonitor
 * too, which fails the install); its own labels, `prometheus: <prometheusInstance>` when set,
 * then `prometheus.servicemonitor.labels`. No `release` label of its own.
 */
export function certManagerServiceMonitorLabels(
  values: Values,
  releaseName: string,
): Labels | undefined {
  const { prometheus } = merged(CERT_MANAGER_DEFAULTS, values) as {
    prometheus: {
      enabled: boolean;
      podmonitor: { enabled: boolean };
      servicemonitor: { enabled: boolean; prometheusInstance?: string; labels?: Labels };
    };
  };
  const monitor = prometheus.servicemonitor;
  if (!prometheus.enabled || !monitor.enabled) return undefined;
  if (prometheus.podmonitor.enabled) {
    throw new Error('cert-manager: podmonitor and servicemonitor cannot both be enabled');
  }
  return {
    app: 'cert-manager',
    'app.kubernetes.io/name': 'cert-manager',
    'app.kubernetes.io/instance': releaseName,
    'app.kubernetes.io/component': 'controller',
    ...(monitor.prometheusInstance ? { prometheus: monitor.prometheusInstance } : {}),
    ...monitor.labels,
  };
}

/**
 * kube-prometheus-stack 88.5.3, charts/kube-prometheus-stack/values.yaml
 * (`prometheus.prometheusSpec`): the selector keys at their defaults.
 */
const KUBE_PROMETHEUS_STACK_DEFAULTS: Values = {
  prometheus: {
    prometheusSpec: { serviceMonitorSelector: {}, serviceMonitorSelectorNilUsesHelmValues: true },
  },
};

/**
 * The `matchLabels` of the Prometheus's `serviceMonitorSelector` that kube-prometheus-stack
 * 88.5.3 renders for `values` (templates/prometheus/prometheus.yaml): the one given, else
 * `release: <Helm release name>` while `serviceMonitorSelectorNilUsesHelmValues` holds, else
 * every ServiceMonitor. Its `serviceMonitorNamespaceSelector` defaults to every namespace.
 */
export function kubePrometheusStackServiceMonitorSelector(
  values: Values,
  releaseName: string,
): Labels {
  const { prometheus } = merged(KUBE_PROMETHEUS_STACK_DEFAULTS, values) as {
    prometheus: {
      prometheusSpec: {
        serviceMonitorSelector: { matchLabels?: Labels };
        serviceMonitorSelectorNilUsesHelmValues: boolean;
      };
    };
  };
  const spec = prometheus.prometheusSpec;
  if (Object.keys(spec.serviceMonitorSelector).length > 0) {
    return spec.serviceMonitorSelector.matchLabels ?? {};
  }
  return spec.serviceMonitorSelectorNilUsesHelmValues ? { release: releaseName } : {};
}

/** The Helm release name a generated values file's `# helm install <name> …` line installs. */
export function helmReleaseName(valuesFile: string): string {
  const match = /^# helm install (\S+) /m.exec(valuesFile);
  if (!match) throw new Error('the values file names no `helm install <release>` command');
  return match[1]!;
}
