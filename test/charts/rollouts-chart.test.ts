import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { production } from '../../charts/environments.js';
import { RolloutsChart } from '../../charts/rollouts-chart.js';
import { ServicesChart } from '../../charts/services-chart.js';
import { SyntheticCheckChart } from '../../charts/synthetic-check-chart.js';
import { VpaChart } from '../../charts/vpa-chart.js';
import type { CronJob, KubeObject } from '../support/k8s-types.js';
import type { Rollout } from './support/rollout-references.js';

const PROMETHEUS = 'http://prometheus.monitoring:9090';

function synth(prometheusUrl = PROMETHEUS) {
  const services = new ServicesChart(Testing.app(), 'services', production);
  const chart = new RolloutsChart(Testing.app(), 'rollouts', {
    ...production,
    bird: services.bird,
    birdImage: services.birdImage,
    prometheusUrl,
    // None: the canary's ServiceMonitor then carries the service's own labels only.
    prometheusSelectorLabels: {},
  });
  return { services, chart, objects: Testing.synth(chart) as KubeObject[] };
}

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const rollout = (objects: KubeObject[], name: string) =>
  objects.find((o) => o.kind === 'Rollout' && o.metadata.name === name) as Rollout;

describe('RolloutsChart', () => {
  const { objects, chart } = synth();

  it('renders the same objects as last time', () => {
    expect(objects).toMatchSnapshot();
  });

  it('takes over each Deployment, scaling it to zero once the Rollout is healthy', () => {
    for (const name of ['bird', 'bird-image']) {
      expect(rollout(objects, name).spec.workloadRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name,
        scaleDown: 'onsuccess',
      });
    }
    const targets = byKind(objects, 'HorizontalPodAutoscaler').map(
      (h) => (h.spec as { scaleTargetRef: unknown }).scaleTargetRef,
    );
    expect(targets).toEqual([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'bird-image' },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'bird' },
    ]);
    // The Deployments' autoscalers' own names: applied after them, these retarget them.
    expect(byKind(objects, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual([
      'bird-image',
      'bird',
    ]);
  });

  it('names the fields Argo Rollouts writes: replicas of the Deployments, selectors of the Services', () => {
    const fields = (list: typeof chart.fieldsOnServices) =>
      list.map((f) => `${f.kind} ${f.name} ${f.jsonPointer}`);
    expect(fields(chart.fieldsOnServices)).toEqual([
      'Deployment bird-image /spec/replicas',
      'Deployment bird /spec/replicas',
      'Service bird /spec/selector/rollouts-pod-template-hash',
    ]);
    expect(fields(chart.fieldsOnOwnObjects)).toEqual([
      'Service bird-canary /spec/selector/rollouts-pod-template-hash',
    ]);
  });

  it('steps 10, 25, 50, 100 %, each held 5 minutes, analysed in the background from the start', () => {
    for (const name of ['bird', 'bird-image']) {
      const canary = rollout(objects, name).spec.strategy.canary!;
      expect(canary.steps).toEqual(
        [10, 25, 50, 100].flatMap((setWeight) => [{ setWeight }, { pause: { duration: '5m' } }]),
      );
      expect(canary.analysis?.templates?.map((t) => t.templateName)).toEqual([
        'aviary-error-ratio',
        'aviary-latency-p99',
        'aviary-fallback-ratio',
        'aviary-canary-restarts',
        'aviary-contract-check',
      ]);
      // No startingStep: the background analysis starts with the first step.
      expect(canary.analysis).not.toHaveProperty('startingStep');
    }
  });

  it('splits bird by ingress-nginx weight, birdImage by share of pods', () => {
    const bird = rollout(objects, 'bird').spec.strategy.canary!;
    expect(bird).toMatchObject({
      canaryService: 'bird-canary',
      stableService: 'bird',
      trafficRouting: { nginx: { stableIngress: 'bird' } },
    });
    expect(rollout(objects, 'bird-image').spec.strategy.canary).not.toHaveProperty(
      'trafficRouting',
    );
  });

  it('queries Prometheus with the canary hash and judges each measurement', () => {
    const metrics = byKind(objects, 'AnalysisTemplate')
      .map((t) => (t.spec as { metrics: Record<string, unknown>[] }).metrics[0]!)
      .filter((metric) => (metric.provider as { prometheus?: unknown }).prometheus);
    expect(metrics).toHaveLength(4);
    for (const metric of metrics) {
      expect(metric).toMatchObject({
        initialDelay: '1m',
        interval: '1m',
        failureLimit: 1,
        inconclusiveLimit: 3,
        provider: { prometheus: { address: PROMETHEUS } },
      });
      const query = (metric.provider as { prometheus: { query: string } }).prometheus.query;
      // The service's own series carry the hash label; kube-state-metrics' only the pod name,
      // which Argo Rollouts v1.9.1 builds as `<rollout>-<hash>-…` (rollout/sync.go).
      expect(query).toMatch(
        /rollouts_pod_template_hash="\{\{args.canary-hash\}\}"|pod=~"\{\{args.service\}\}-\{\{args.canary-hash\}\}-/,
      );
    }
  });

  it('rejects a Prometheus URL it cannot use', () => {
    expect(() => synth('prometheus:9090')).toThrowError(
      /RolloutsChart "rollouts": invalid prometheusUrl "prometheus:9090": use a base URL/,
    );
  });
});

describe('VpaChart', () => {
  it('recommends only: updateMode Off for each service', () => {
    const services = new ServicesChart(Testing.app(), 'services', production);
    const objects = Testing.synth(
      new VpaChart(Testing.app(), 'vpa', {
        ...production,
        services: [services.birdImage, services.bird],
      }),
    ) as KubeObject[];
    expect(
      objects.map((o) => [o.metadata.name, (o.spec as { updatePolicy: unknown }).updatePolicy]),
    ).toEqual([
      ['bird-image', { updateMode: 'Off' }],
      ['bird', { updateMode: 'Off' }],
    ]);
    expect(
      () => new VpaChart(Testing.app(), 'empty', { ...production, services: [] }),
    ).toThrowError(/VpaChart "empty": invalid services/);
  });
});

describe('SyntheticCheckChart', () => {
  const services = new ServicesChart(Testing.app(), 'services', production);
  it('calls bird through its Service every 5 minutes, in its image, never piling up', () => {
    const objects = Testing.synth(
      new SyntheticCheckChart(Testing.app(), 'check', { ...production, bird: services.bird }),
    ) as KubeObject[];
    const cron = objects.find((o) => o.kind === 'CronJob') as CronJob;
    expect(cron.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid' });
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0]!;
    expect(container.image).toBe(services.bird.image);
    expect(container.env).toContainEqual({ name: 'BIRD_URL', value: 'http://bird' });
  });

  it('rejects a schedule that is not cron', () => {
    expect(
      () =>
        new SyntheticCheckChart(Testing.app(), 'check', {
          ...production,
          bird: services.bird,
          schedule: 'hourly',
        }),
    ).toThrowError(/SyntheticCheckChart "check": invalid schedule "hourly"/);
  });
});
