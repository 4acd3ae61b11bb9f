/**
 * The PrometheusRules of dist/monitoring/ through Prometheus's own `promtool` (Debian package
 * `prometheus`; .ci/run installs it): `check rules` validates every expression and template, and
 * `test rules` evaluates each alert on synthetic series: it fires, after its `for:`, on the
 * series that should fire it, and stays silent with no traffic and with healthy traffic.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PrometheusRule } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';

const run = promisify(execFile);
// Every rule group of dist/monitoring/: the services' alerts and the synthetic check's.
const rule = {
  spec: {
    groups: ofKind<PrometheusRule>(loadManifests(), 'PrometheusRule').flatMap((r) => r.spec.groups),
  },
};
const dir = mkdtempSync(path.join(tmpdir(), 'aviary-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ns = 'namespace="aviary"';
type Series = Record<string, string>;
interface Case {
  /** Series that fire the alert; the alert is silent before `silentUntil` and firing at `firingAt`. */
  fire: Series;
  silentUntil: string;
  firingAt: string;
  labels: Record<string, string>;
  /** Healthy traffic: the alert never fires. */
  healthy: Series;
  /** No traffic at all: silent, unless the alert is about missing series. @default {} */
  idle?: Series;
}

// bird answering 1 request/s, `bad` of them with a 5xx.
const traffic = (job: string, perMinute: number, bad: number): Series => {
  const l = (status: string) => `${ns}, job="${job}", route="/", method="GET", status="${status}"`;
  return {
    [`http_request_duration_seconds_bucket{${l('200')}, le="1"}`]: `0+${perMinute - bad}x120`,
    [`http_request_duration_seconds_count{${l('200')}}`]: `0+${perMinute - bad}x120`,
    [`http_request_duration_seconds_bucket{${l('500')}, le="1"}`]: `0+${bad}x120`,
    [`http_request_duration_seconds_count{${l('500')}}`]: `0+${bad}x120`,
  };
};
const up = { [`up{${ns}, job="bird"}`]: '1x120', [`up{${ns}, job="bird-image"}`]: '1x120' };
const pod = `${ns}, pod="bird-7c9f-abcde"`;
const hpa = (current: number) => ({
  [`kube_horizontalpodautoscaler_status_current_replicas{${ns}, horizontalpodautoscaler="bird"}`]: `${current}x120`,
  [`kube_horizontalpodautoscaler_spec_max_replicas{${ns}, horizontalpodautoscaler="bird"}`]:
    '10x120',
  [`kube_horizontalpodautoscaler_spec_min_replicas{${ns}, horizontalpodautoscaler="bird"}`]:
    '2x120',
});
const imageRequests = {
  [`http_requests_total{${ns}, job="bird-image", route="/", method="GET", status="200"}`]:
    '0+60x120',
};
// Two Jobs of the synthetic check, started at 0 and at 5 min; `failed` says which fail (the
// second from its start), as kube-state-metrics v2 reports them.
const checkJobs = (failed: { first: boolean; second: boolean }): Series => {
  const job = (n: number) => `${ns}, job_name="bird-contract-check-${n}"`;
  return {
    [`kube_job_owner{${job(1)}, owner_kind="CronJob", owner_name="bird-contract-check", owner_is_controller="true"}`]:
      '1x120',
    [`kube_job_owner{${job(2)}, owner_kind="CronJob", owner_name="bird-contract-check", owner_is_controller="true"}`]:
      '_x5 1x114',
    [`kube_job_status_start_time{${job(1)}}`]: '0x120',
    [`kube_job_status_start_time{${job(2)}}`]: '_x5 300x114',
    [`kube_job_status_failed{${job(1)}}`]: failed.first ? '1x120' : '0x120',
    [`kube_job_status_failed{${job(2)}}`]: `_x5 ${failed.second ? 1 : 0}x114`,
  };
};
const expiry = (days: number) => ({
  [`certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager", exported_namespace="aviary", name="aviary-tls"}`]: `${days * 86400}x120`,
});

const CASES: Record<string, Case> = {
  AviaryTargetsDown: {
    fire: { [`up{${ns}, job="bird"}`]: '0x120', [`up{${ns}, job="bird-image"}`]: '1x120' },
    silentUntil: '4m',
    firingAt: '6m',
    labels: { severity: 'critical', namespace: 'aviary', job: 'bird' },
    healthy: up,
    idle: up,
  },
  AviaryErrorBudgetBurnFast: {
    fire: traffic('bird', 60, 6),
    silentUntil: '2m',
    firingAt: '10m',
    labels: { severity: 'critical', namespace: 'aviary', job: 'bird' },
    healthy: traffic('bird', 60, 0),
  },
  AviaryErrorBudgetBurnSlow: {
    fire: traffic('bird', 60, 6),
    silentUntil: '10m',
    firingAt: '30m',
    labels: { severity: 'warning', namespace: 'aviary', job: 'bird' },
    healthy: traffic('bird', 60, 0),
  },
  AviaryHighFallbackRatio: {
    fire: {
      [`upstream_requests_total{${ns}, job="bird", upstream="image", outcome="fallback"}`]:
        '0+30x120',
      [`upstream_requests_total{${ns}, job="bird", upstream="image", outcome="success"}`]:
        '0+30x120',
    },
    silentUntil: '10m',
    firingAt: '30m',
    labels: { severity: 'warning', namespace: 'aviary', job: 'bird', upstream: 'image' },
    healthy: {
      [`upstream_requests_total{${ns}, job="bird", upstream="image", outcome="fallback"}`]: '0x120',
      [`upstream_requests_total{${ns}, job="bird", upstream="image", outcome="success"}`]:
        '0+60x120',
    },
  },
  AviaryCircuitBreakerOpen: {
    fire: {
      [`circuit_breaker_state{${pod}, job="bird", upstream="image"}`]: '1x120',
      [`upstream_requests_total{${pod}, job="bird", upstream="image", outcome="circuit_open"}`]:
        '0+10x120',
    },
    silentUntil: '8m',
    firingAt: '20m',
    labels: {
      severity: 'warning',
      namespace: 'aviary',
      job: 'bird',
      pod: 'bird-7c9f-abcde',
      upstream: 'image',
    },
    healthy: { [`circuit_breaker_state{${pod}, job="bird", upstream="image"}`]: '0x120' },
  },
  AviaryPodsNotReady: {
    fire: { [`kube_pod_status_ready{${pod}, condition="false"}`]: '1x120' },
    silentUntil: '10m',
    firingAt: '20m',
    labels: { severity: 'warning', namespace: 'aviary', pod: 'bird-7c9f-abcde' },
    healthy: {
      [`kube_pod_status_ready{${pod}, condition="false"}`]: '0x120',
      [`kube_pod_status_phase{${pod}, phase="Running"}`]: '1x120',
    },
  },
  AviaryHpaMaxedOut: {
    fire: hpa(10),
    silentUntil: '10m',
    firingAt: '20m',
    labels: { severity: 'warning', namespace: 'aviary', horizontalpodautoscaler: 'bird' },
    healthy: hpa(3),
  },
  AviaryUnsplashKeyMissing: {
    fire: imageRequests,
    silentUntil: '20m',
    firingAt: '40m',
    labels: { severity: 'warning', namespace: 'aviary', job: 'bird-image' },
    healthy: {
      ...imageRequests,
      [`cache_lookups_total{${ns}, job="bird-image", cache="unsplash", result="hit"}`]: '0+60x120',
    },
  },
  AviaryCertificateExpiringSoon: {
    fire: expiry(7),
    silentUntil: '50m',
    firingAt: '70m',
    labels: { severity: 'warning', exported_namespace: 'aviary', name: 'aviary-tls' },
    healthy: expiry(60),
  },
  // Fires when no series names the Certificate, even though another one's is scraped.
  AviaryCertificateMetricMissing: {
    fire: {
      [`certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager", exported_namespace="other", name="other-tls"}`]: `${60 * 86400}x120`,
    },
    silentUntil: '50m',
    firingAt: '70m',
    labels: { severity: 'warning', exported_namespace: 'aviary', name: 'aviary-tls' },
    healthy: expiry(60),
    idle: expiry(60),
  },
  // Silent with one failed Job (at 4 min), firing with two (at 10 min); the healthy case has one
  // failed Job and one that passed: a single failure never pages.
  AviarySyntheticCheckFailing: {
    fire: checkJobs({ first: true, second: true }),
    silentUntil: '4m',
    firingAt: '10m',
    labels: { severity: 'critical', namespace: 'aviary', owner_name: 'bird-contract-check' },
    healthy: checkJobs({ first: true, second: false }),
  },
  AviaryContainerRestarting: {
    fire: { [`kube_pod_container_status_restarts_total{${pod}, container="bird"}`]: '0+1x120' },
    silentUntil: '3m',
    firingAt: '10m',
    labels: { severity: 'warning', namespace: 'aviary', pod: 'bird-7c9f-abcde', container: 'bird' },
    healthy: { [`kube_pod_container_status_restarts_total{${pod}, container="bird"}`]: '0x120' },
  },
};

const alertNames = [
  ...new Set(
    rule.spec.groups
      .flatMap((g) => g.rules)
      .map((r) => r.alert)
      .filter(Boolean),
  ),
] as string[];

const seriesList = (series: Series) =>
  Object.entries(series).map(([name, values]) => ({ series: name, values }));
const silent = (alert: string, at: string) => ({ eval_time: at, alertname: alert, exp_alerts: [] });

function testFile(rulesFile: string): string {
  const tests = Object.entries(CASES).flatMap(([alert, c]) => [
    {
      name: `${alert} fires after its for`,
      interval: '1m',
      input_series: seriesList(c.fire),
      alert_rule_test: [
        silent(alert, c.silentUntil),
        { eval_time: c.firingAt, alertname: alert, exp_alerts: [{ exp_labels: c.labels }] },
      ],
    },
    {
      name: `${alert} is silent with healthy traffic`,
      interval: '1m',
      input_series: seriesList(c.healthy),
      alert_rule_test: [silent(alert, c.firingAt), silent(alert, '110m')],
    },
    {
      name: `${alert} is silent with no traffic`,
      interval: '1m',
      input_series: seriesList(c.idle ?? {}),
      alert_rule_test: [silent(alert, c.firingAt), silent(alert, '110m')],
    },
  ]);
  return stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests });
}

describe('promtool on the PrometheusRules of dist/monitoring/', () => {
  it('checks every group: expressions and templates are valid', async () => {
    const file = path.join(dir, 'rules.yaml');
    writeFileSync(file, stringify({ groups: rule.spec.groups }));
    const { stdout } = await run('promtool', ['check', 'rules', file]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('has a unit test for every alert', () => {
    expect(Object.keys(CASES).sort()).toEqual([...alertNames].sort());
  });

  it('fires each alert after its for:, and never on healthy traffic or none', async () => {
    // Annotations are checked by `check rules`; the unit tests compare labels only.
    const groups = rule.spec.groups.map((g) => ({
      ...g,
      rules: g.rules.map(({ annotations: _annotations, ...r }) => r),
    }));
    writeFileSync(path.join(dir, 'bare.yaml'), stringify({ groups }));
    writeFileSync(path.join(dir, 'tests.yaml'), testFile('bare.yaml'));
    const result = await run('promtool', ['test', 'rules', path.join(dir, 'tests.yaml')]).catch(
      (error: { stdout?: string; stderr?: string }) => ({
        stdout: `${error.stdout}\n${error.stderr}`,
      }),
    );
    expect(result.stdout).toMatch(/SUCCESS/);
  }, 60_000);
});
