import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { refusingUrl } from '../../../scripts/stand-ins/stub-upstream.js';
import type { MeasurementResult } from './expr-lang.js';

/** One scrape target: where it listens and the labels the cluster's scrape would give it. */
export interface ScrapeTarget {
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A real Prometheus server on 127.0.0.1, scraping static targets. */
export interface RunningPrometheus {
  readonly url: string;
  /** An instant query at the current time; the result as Argo Rollouts' provider hands it on. */
  query(promql: string): Promise<MeasurementResult>;
  /**
   * Resolves once every target has been scraped successfully. Prometheus hands new targets to
   * its scrapers some seconds after start (service discovery updates are batched), so traffic
   * sent before this would never be seen as an increase.
   */
  waitForTargets(timeoutMs?: number): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its data. */
  stop(): Promise<void>;
}

/** The Debian package's binary; `.ci/run` installs it when missing. */
const PROMETHEUS = 'prometheus';

/** The installed version, or a clear error when the binary is missing. */
export function prometheusVersion(): string {
  const probe = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `this test needs a real Prometheus: install the Debian package (apt-get install prometheus); ${String(probe.error ?? probe.stderr)}`,
    );
  }
  return /version (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
}

/**
 * Starts Prometheus scraping `targets` every `scrapeInterval` (one job per distinct `job` label,
 * the label Prometheus would otherwise set from the job name), evaluating `ruleGroups` (a
 * PrometheusRule's `spec.groups`) as often, and waits until it is ready.
 */
export async function startPrometheus(
  targets: readonly ScrapeTarget[],
  scrapeInterval = '1s',
  ruleGroups: readonly unknown[] = [],
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aviary-prometheus-'));
  const jobs = [...new Set(targets.map((t) => t.labels.job ?? 'unlabelled'))];
  writeFileSync(path.join(dir, 'rules.yml'), stringify({ groups: ruleGroups }));
  const config = {
    global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
    rule_files: [path.join(dir, 'rules.yml')],
    scrape_configs: jobs.map((job) => ({
      job_name: job,
      metrics_path: '/metrics',
      static_configs: targets
        .filter((t) => (t.labels.job ?? 'unlabelled') === job)
        .map((t) => ({ targets: [t.address], labels: { ...t.labels } })),
    })),
  };
  writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  // A port nothing listens on (just released); Prometheus cannot report one it picked itself.
  const port = Number(new URL(await refusingUrl()).port);
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'close');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (attempt > 200) throw new Error(`prometheus not ready after 10 s: ${stderr}`);
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const running: RunningPrometheus = {
    url,
    stop,
    waitForTargets: async (timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = await running.query('up == 1');
        if (Array.isArray(up) && up.length === targets.length) return;
        if (Date.now() > deadline)
          throw new Error(`targets up: ${String(up)} of ${targets.length}`);
        await sleep(100);
      }
    },
    query: async (promql) => {
      const response = await fetch(
        `${url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`,
      );
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: unknown };
      };
      if (body.status !== 'success' || !body.data) throw new Error(`query failed: ${body.error}`);
      return measurementResult(body.data.resultType, body.data.result);
    },
  };
  return running;
}

/**
 * The value Argo Rollouts v1.9.1's Prometheus provider (`processResponse`) passes to the
 * conditions: a vector's sample values (an empty list for an empty vector), a matrix's values
 * flattened, a scalar's value. Prometheus's JSON writes NaN as "NaN".
 */
function measurementResult(type: string, result: unknown): MeasurementResult {
  const value = (pair: unknown) => {
    const text = (pair as [number, string])[1];
    return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  };
  switch (type) {
    case 'vector':
      return (result as { value: unknown }[]).map((sample) => value(sample.value));
    case 'matrix':
      return (result as { values: unknown[] }[]).flatMap((series) => series.values.map(value));
    case 'scalar':
      return value(result);
    default:
      throw new Error(`Prometheus metric type not supported: ${type}`);
  }
}
