/**
 * The drill of docs/runbook.md ("Drills") for the paging error-budget alert, run for real: bird
 * with `FAULT_ERROR_RATIO=0.25`, scraped by a real Prometheus (the Debian package) that evaluates
 * the rule groups of dist/monitoring/ exactly as committed, `for: 2m` included. A bird without
 * faults, scraped beside it under another `job`, must stay silent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { birdService } from '../../apps/bird/service.js';
import type { ServedApp } from '../../apps/shared/service.js';
import type { PrometheusRule } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';
import {
  prometheusVersion,
  startPrometheus,
  type RunningPrometheus,
} from '../rollouts/support/prometheus.js';
import { json } from '../../scripts/stand-ins/stub-upstream.js';
import { serveService } from '../support/serve-service.js';
import { stubUpstream } from '../support/stand-ins.js';

const ALERT = 'AviaryErrorBudgetBurnFast';
const rule = ofKind<PrometheusRule>(loadManifests(), 'PrometheusRule')
  .flatMap((r) => r.spec.groups)
  .flatMap((group) => group.rules)
  .find((r) => r.alert === ALERT)!;
const FOR_SECONDS = Number(/^(\d+)m$/.exec(rule.for!)![1]) * 60;
const SERVICES = { drilled: 'bird', healthy: 'bird-without-faults' };

let prometheus: RunningPrometheus | undefined;
const birds: ServedApp[] = [];
let trafficRuns = true;
let traffic: Promise<void> | undefined;

/** A request to each bird every 100 ms, until the test ends. */
async function sendTraffic(urls: string[]): Promise<void> {
  while (trafficRuns) {
    await Promise.all(urls.map((url) => fetch(`${url}/`).then((r) => r.arrayBuffer())));
    await sleep(100);
  }
}

/** The state of the alert for `job`: `pending`, `firing`, or `undefined`. */
async function alertState(job: string): Promise<string | undefined> {
  const query = `ALERTS{alertname="${ALERT}", job="${job}"}`;
  const response = await fetch(`${prometheus!.url}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string> }[] };
  };
  return body.data.result[0]?.metric.alertstate;
}

describe(`a drill: FAULT_ERROR_RATIO fires ${ALERT} (a real Prometheus)`, () => {
  beforeAll(async () => {
    prometheusVersion(); // fails (never skips) without Prometheus
    const stub = await stubUpstream(json('https://images.example/bird.jpg'));
    const env = { BIRD_IMAGE_URL: stub.url };
    birds.push(await serveService(birdService, { env: { ...env, FAULT_ERROR_RATIO: '0.25' } }));
    birds.push(await serveService(birdService, { env }));
    const targets = [SERVICES.drilled, SERVICES.healthy].map((job, i) => ({
      address: new URL(birds[i]!.url).host,
      labels: { namespace: 'aviary', job },
    }));
    const groups = ofKind<PrometheusRule>(loadManifests(), 'PrometheusRule').flatMap(
      (r) => r.spec.groups,
    );
    prometheus = await startPrometheus(targets, '1s', groups);
    await prometheus.waitForTargets();
    traffic = sendTraffic(birds.map((bird) => bird.url));
  }, 60_000);

  afterAll(async () => {
    trafficRuns = false;
    await traffic;
    await prometheus?.stop();
  });

  it(
    `is pending at once, fires after its for: (${rule.for}), and only for the drilled service`,
    async () => {
      const waitFor = async (state: string, seconds: number) => {
        for (let waited = 0; (await alertState(SERVICES.drilled)) !== state; waited++) {
          if (waited > seconds) throw new Error(`${ALERT} not ${state} after ${seconds} s`);
          await sleep(1000);
        }
      };
      // Two scrapes make a rate; a busy machine may take a few more.
      await waitFor('pending', 30);
      await waitFor('firing', FOR_SECONDS + 60);
      expect(await alertState(SERVICES.healthy)).toBeUndefined();
    },
    (FOR_SECONDS + 120) * 1000,
  );
});
