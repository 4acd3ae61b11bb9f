import { birdImageService } from '../../../apps/bird-image/service.js';
import { birdService } from '../../../apps/bird/service.js';
import { environmentOf } from '../../charts/support/cross-references.js';
import type { Deployment } from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { json } from '../../../scripts/stand-ins/stub-upstream.js';
import { serveService } from '../../support/serve-service.js';
import { stubUpstream } from '../../support/stand-ins.js';

/**
 * Metrics the rules and the dashboard read that the services do not expose. Each comes from a
 * component kube-prometheus-stack installs and scrapes; the value says what it is and why it is
 * used. Names follow kube-state-metrics v2 and the kubelet's cAdvisor endpoint.
 */
export const PLATFORM_METRICS: Readonly<Record<string, string>> = {
  // Prometheus: written for every scrape of every target.
  up: 'Prometheus: 1 when the last scrape of a target succeeded (AviaryTargetsDown)',
  // kube-state-metrics: the state of Kubernetes objects.
  kube_pod_status_phase: 'kube-state-metrics: pod phase, one series per phase (AviaryPodsNotReady)',
  kube_pod_status_ready:
    'kube-state-metrics: Ready condition per pod, condition="true|false|unknown" (AviaryPodsNotReady)',
  kube_pod_container_status_restarts_total:
    'kube-state-metrics: restarts per container (AviaryContainerRestarting, Pods row)',
  kube_pod_container_resource_requests:
    'kube-state-metrics: requests per container and resource (Capacity row)',
  kube_pod_container_resource_limits:
    'kube-state-metrics: limits per container and resource (Capacity row)',
  kube_deployment_spec_replicas: 'kube-state-metrics: desired replicas (Pods row)',
  kube_deployment_status_replicas_available:
    'kube-state-metrics: available replicas (Golden signals and Pods rows)',
  kube_horizontalpodautoscaler_spec_min_replicas:
    'kube-state-metrics: HPA lower bound (AviaryHpaMaxedOut, Capacity row)',
  kube_horizontalpodautoscaler_spec_max_replicas:
    'kube-state-metrics: HPA upper bound (AviaryHpaMaxedOut, Capacity row)',
  kube_horizontalpodautoscaler_status_current_replicas:
    'kube-state-metrics: replicas the HPA runs now (AviaryHpaMaxedOut, Capacity row)',
  kube_horizontalpodautoscaler_status_desired_replicas:
    'kube-state-metrics: replicas the HPA asks for (Capacity row)',
  kube_job_status_failed: 'kube-state-metrics: failed pods of a Job (AviarySyntheticCheckFailing)',
  kube_job_owner:
    'kube-state-metrics: the CronJob that created a Job (AviarySyntheticCheckFailing)',
  kube_job_status_start_time:
    'kube-state-metrics: when a Job started, Unix seconds (AviarySyntheticCheckFailing)',
  // cAdvisor, served by the kubelet: what containers actually use.
  container_cpu_usage_seconds_total: 'cAdvisor: CPU time per container (Capacity row)',
  container_memory_working_set_bytes:
    'cAdvisor: memory the OOM killer counts, per container (Capacity row)',
  container_cpu_cfs_periods_total: 'cAdvisor: CFS scheduling periods (Capacity row, throttling)',
  container_cpu_cfs_throttled_periods_total:
    'cAdvisor: periods in which the container hit its CPU limit (Capacity row, throttling)',
  // cert-manager's controller, scraped through its own ServiceMonitor (Helm value
  // prometheus.servicemonitor.enabled): `namespace` is cert-manager's, the Certificate's
  // namespace is `exported_namespace`.
  certmanager_certificate_expiration_timestamp_seconds:
    'cert-manager v1.21: expiry time of each Certificate (AviaryCertificateExpiringSoon, AviaryCertificateMetricMissing)',
};

/** What the real services expose at `/metrics`, once they have served a request. */
export interface Exposition {
  /** Series names (histograms as `_bucket`, `_sum`, `_count`) and the labels seen on them. */
  readonly series: Map<string, Set<string>>;
  /** The raw text each service served, by service. */
  readonly texts: Record<string, string>;
}

const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** Series names and label names of a Prometheus text exposition. */
export function parseExposition(text: string, into = new Map<string, Set<string>>()) {
  const add = (name: string) => into.get(name) ?? into.set(name, new Set()).get(name)!;
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      for (const suffix of SUFFIXES[type[2]!] ?? ['']) add(`${type[1]}${suffix}`);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const labels = add(sample[1]!);
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(label!);
  }
  return into;
}

/**
 * Starts the real birdImage (its Unsplash calls answered by a local stand-in) and the real bird
 * (calling that birdImage), each configured by its ConfigMap in `manifests`, asks each for a
 * bird and for its probes, then scrapes both: the metric families they create are what the
 * rules and the dashboard can rely on. All three are closed when the test (from a `beforeAll`,
 * the file) is done.
 */
export async function scrapeServices(manifests: readonly Manifest[]): Promise<Exposition> {
  const envOf = (name: string) => {
    const deployment = ofKind<Deployment>(manifests, 'Deployment').find(
      (d) => d.metadata.name === name,
    );
    if (!deployment) throw new Error(`no Deployment ${name}`);
    return environmentOf(manifests, deployment);
  };
  const unsplash = await stubUpstream(
    json({ results: [{ urls: { thumb: 'https://images.unsplash.com/puffin.jpg' } }] }),
  );
  // A key instead of the key file the ConfigMap names (the two exclude each other).
  const imageEnv = { ...envOf('bird-image') };
  delete imageEnv.UNSPLASH_ACCESS_KEY_FILE;
  const birdImage = await serveService(birdImageService, {
    env: { ...imageEnv, UNSPLASH_API_URL: unsplash.url, UNSPLASH_ACCESS_KEY: 'test-key' },
  });
  const bird = await serveService(birdService, {
    env: { ...envOf('bird'), BIRD_IMAGE_URL: birdImage.url },
  });
  const series = new Map<string, Set<string>>();
  const texts: Record<string, string> = {};
  for (const [name, served, path] of [
    ['bird-image', birdImage, '/?birdName=Atlantic%20Puffin'],
    ['bird', bird, '/'],
  ] as const) {
    for (const request of [path, '/healthz', '/readyz']) {
      const response = await fetch(`${served.url}${request}`);
      if (!response.ok) throw new Error(`${name} GET ${request} answered ${response.status}`);
      await response.arrayBuffer();
    }
    texts[name] = await (await fetch(`${served.url}/metrics`)).text();
    parseExposition(texts[name], series);
  }
  return { series, texts };
}
