import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_CHECK_SCRIPT } from '../../charts/contract-check-pod.js';
import { analysisObjectives, RESTARTS_OBJECTIVE } from '../../charts/rollouts/analysis.js';
import type { Deployment } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';
import type { AnalysisTemplate, Rollout } from '../charts/support/rollout-references.js';
import { spawnService, type ServiceProcess } from '../support/process.js';
import {
  json,
  startStubUpstream,
  type Behaviour,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';
import { clusterTargetLabels, type PodInfo } from './support/cluster-scrape.js';
import { evaluateResult, type Phase } from './support/expr-lang.js';
import {
  prometheusVersion,
  startPrometheus,
  type RunningPrometheus,
  type ScrapeTarget,
} from './support/prometheus.js';

/*
 * The analysis of bird's canary, run for real: the compiled bird, a stable pod and one canary pod
 * per kind of release, scraped by a real Prometheus with the labels the cluster's scrape gives
 * them; each AnalysisTemplate's query, exactly as dist/rollouts/ holds it once Argo Rollouts has
 * filled in its args, judged by its conditions as Argo Rollouts v1.9.1 judges them.
 */

const manifests = loadManifests();
const rollout = ofKind<Rollout>(manifests, 'Rollout').find((r) => r.metadata.name === 'bird')!;
const deployment = ofKind<Deployment>(manifests, 'Deployment').find(
  (d) => d.metadata.name === 'bird',
)!;
const allTemplates = ofKind<AnalysisTemplate>(manifests, 'AnalysisTemplate');
/** The objectives on the service's own metrics, which the pods below expose. */
const serviceObjectives = new Set(analysisObjectives('').map(({ name }) => name));
const templates = allTemplates.filter((t) => serviceObjectives.has(t.metadata.name));
const restartsTemplate = allTemplates.find((t) => t.metadata.name === RESTARTS_OBJECTIVE)!;
const canaryStrategy = rollout.spec.strategy.canary!;
const IMAGE = 'https://images.example/bird.jpg';

/**
 * What a pod calls for its images: a stand-in answering as `stub` says, or the compiled birdImage
 * run with the variables `birdImage` lists (its fault drills).
 */
type ImageUpstream = { readonly stub: Behaviour } | { readonly birdImage: Record<string, string> };

/** One kind of pod: its hash, its images, its settings, and the traffic it gets. */
interface PodKind {
  readonly hash: string;
  readonly upstream: ImageUpstream;
  readonly env: Record<string, string>;
  readonly requests: boolean;
  /** Called by bird's contract check only, as the analysis's Job calls a canary at quiet hours. */
  readonly checked?: boolean;
}

/** Upstreams and configuration of a canary as a release runs it: real answers, no fault. */
const AS_RELEASED = { upstream: { stub: json(IMAGE) }, env: {} } as const;

/**
 * The kinds of canary. Each bad one is made by a fault drill (apps/shared/faults.ts) switched on
 * by configuration, as an operator would switch it on for a canary: no code is changed or loaded.
 */
const CANARIES = {
  healthy: {
    hash: 'c0ffee01',
    ...AS_RELEASED,
    requests: true,
  },
  // Every answer held 1.2 s, past the 1 s objective. Held answers stay in flight, 24 at once at
  // this test's pace: close to the default bound of 32, past which the shedder answers 503 and
  // the canary would fail on errors too. This pod admits twice as many.
  slow: {
    hash: 'c0ffee02',
    ...AS_RELEASED,
    env: { FAULT_LATENCY_MS: '1200', MAX_IN_FLIGHT_REQUESTS: '64' },
    requests: true,
  },
  // Its birdImage answers every request 500: every bird gets the default image.
  degraded: {
    hash: 'c0ffee03',
    upstream: { birdImage: { FAULT_ERROR_RATIO: '1' } },
    env: {},
    requests: true,
  },
  // Half its answers are 500, as a release with a bug would answer.
  failing: {
    hash: 'c0ffee04',
    ...AS_RELEASED,
    env: { FAULT_ERROR_RATIO: '0.5' },
    requests: true,
  },
  // Pods up, no request routed to them yet.
  idle: {
    hash: 'c0ffee05',
    ...AS_RELEASED,
    requests: false,
  },
  // Quiet hours: no user request, only the analysis's contract check Job.
  checked: {
    hash: 'c0ffee06',
    ...AS_RELEASED,
    requests: false,
    checked: true,
  },
} as const satisfies Record<string, PodKind>;
type CanaryKind = keyof typeof CANARIES;
const STABLE_HASH = '5ab1e000';
/** A pod-template hash no pod carries: a canary Prometheus does not scrape (yet), or a typo. */
const UNSEEN_HASH = 'c0ffeeff';
/** Requests each serving pod gets, one every 50 ms: over several 1 s scrapes. */
const REQUESTS = 60;
/**
 * Requests each serving pod gets before Prometheus first scrapes it: a fresh process's first
 * answers (lazy loading, a cold JIT) can take a second on a busy machine, and a starved one
 * sheds some with 503 for event-loop lag. They end up in the first sample, which a rate does not
 * count, as a pod's start-up does not count in a cluster whose analysis waits `initialDelay`.
 * Enough to fill the image cache (a pod that has served for a while has one), so latency is
 * bird's own, not that of a stand-in sharing the test runner's event loop: what makes a canary
 * bad is its fault alone (a failed image call is not cached, so the degraded canary keeps
 * falling back).
 */
const WARM_UP = 300;
const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Runs of the contract check on the checked canary, over several 1 s scrapes. */
const CHECKS = 3;
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The labels Argo Rollouts gives a pod of the Rollout: the template's, its hash, its role. */
function podOf(hash: string, track: 'stable' | 'canary'): PodInfo {
  const metadata =
    track === 'canary' ? canaryStrategy.canaryMetadata : canaryStrategy.stableMetadata;
  return {
    namespace: deployment.metadata.namespace!,
    name: `bird-${hash}-x7k2p`,
    labels: {
      ...deployment.spec.template.metadata!.labels,
      'rollouts-pod-template-hash': hash,
      ...metadata?.labels,
    },
    container: deployment.spec.template.spec.containers[0]!.name,
    portName: 'http',
  };
}

/**
 * During a canary, Argo Rollouts adds the stable hash to the stable Service's selector and the
 * canary's to the canary Service's.
 */
function selectorsDuring(canaryHash: string) {
  return {
    [canaryStrategy.stableService!]: { 'rollouts-pod-template-hash': STABLE_HASH },
    [canaryStrategy.canaryService!]: { 'rollouts-pod-template-hash': canaryHash },
  };
}

/** Argo Rollouts v1.9.1 `ResolveArgs`: `{{ args.NAME }}` (spaces trimmed); unknown is an error. */
function resolveArgs(query: string, args: Readonly<Record<string, string>>): string {
  return query.replace(/\{\{([^}]*)\}\}/g, (_, tag: string) => {
    const name = tag.trim().replace(/^args\./, '');
    const value = tag.trim().startsWith('args.') ? args[name] : undefined;
    if (value === undefined) throw new Error(`failed to resolve {{${tag}}}`);
    return value;
  });
}

/** The args the Rollout gives its analysis, with the canary's hash as `Latest`. */
function rolloutArgs(canaryHash: string): Record<string, string> {
  return Object.fromEntries(
    (canaryStrategy.analysis?.args ?? []).map((arg) => {
      if (arg.value !== undefined) return [arg.name, arg.value];
      const from = arg.valueFrom as { podTemplateHashValue?: string } | undefined;
      if (from?.podTemplateHashValue !== 'Latest') throw new Error(`unmodelled arg ${arg.name}`);
      return [arg.name, canaryHash];
    }),
  );
}

let prometheus: RunningPrometheus | undefined;
let kubeStateMetrics: Server | undefined;
/** Exit codes of the contract check's runs on the checked canary: the Job metric's verdicts. */
const checkExits: number[] = [];

/**
 * A stand-in for kube-state-metrics: restarts per container as it exports them (namespace, pod,
 * container labels; pod labels only through `kube_pod_labels`). The failing canary's container
 * restarted twice, the stable pod's five times (old news that must not be blamed on a canary).
 */
function restartsExposition(): string {
  const namespace = deployment.metadata.namespace!;
  const restarts: [string, number][] = [
    [STABLE_HASH, 5],
    [CANARIES.healthy.hash, 0],
    [CANARIES.failing.hash, 2],
  ];
  return restarts
    .map(
      ([hash, count]) =>
        `kube_pod_container_status_restarts_total{namespace="${namespace}",pod="${podOf(hash, 'canary').name}",container="bird"} ${count}\n`,
    )
    .join('');
}

/** Runs bird's contract check, as the analysis's Job runs it, against the bird on `port`. */
async function contractCheck(port: number): Promise<number> {
  try {
    await promisify(execFile)(process.execPath, [path.join(ROOT, CONTRACT_CHECK_SCRIPT)], {
      env: { BIRD_URL: `http://127.0.0.1:${port}` },
    });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}
const upstreams: StubUpstream[] = [];

/** Sends `count` requests to bird, one every `everyMs`, without waiting for each answer. */
async function traffic(port: number, count: number, everyMs: number): Promise<void> {
  const answers: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer()));
    await sleep(everyMs);
  }
  await Promise.all(answers);
}

/** The base URL of `upstream`, started; stopped in `afterAll`. */
async function startImageUpstream(upstream: ImageUpstream): Promise<string> {
  if ('stub' in upstream) {
    const stub = await startStubUpstream(upstream.stub);
    upstreams.push(stub);
    return stub.url;
  }
  const birdImage = spawnService(
    'bird-image',
    { PORT: '0', HOST: '127.0.0.1', ...upstream.birdImage },
    { compiled: true },
  );
  return `http://127.0.0.1:${await birdImage.waitForPort(45_000)}`;
}

async function startBird(upstream: string, env: object) {
  const bird: ServiceProcess = spawnService(
    'bird',
    { PORT: '0', HOST: '127.0.0.1', BIRD_IMAGE_URL: upstream, ...env },
    { compiled: true },
  );
  // Generous: on a busy CI core six Node processes start slowly.
  return { bird, port: await bird.waitForPort(45_000) };
}

/** Each template's phase for a canary, and its measured value. */
async function judge(
  hash: string,
  change: (t: { query: string; success?: string; failure?: string }) => typeof t = (t) => t,
): Promise<Record<string, Phase>> {
  const phases: Record<string, Phase> = {};
  for (const template of templates) {
    const metric = template.spec.metrics[0]!;
    const used = change({
      query: metric.provider.prometheus!.query!,
      success: metric.successCondition,
      failure: metric.failureCondition,
    });
    const result = await prometheus!.query(resolveArgs(used.query, rolloutArgs(hash)));
    phases[template.metadata.name] = evaluateResult(result, {
      successCondition: used.success,
      failureCondition: used.failure,
    });
  }
  return phases;
}

const ALL_PASS = {
  'aviary-error-ratio': 'Successful',
  'aviary-latency-p99': 'Successful',
  'aviary-fallback-ratio': 'Successful',
} as const;

describe('the scrape the cluster would do', () => {
  it('labels each series with its pod-template hash, and scrapes a pod once', () => {
    const canary = clusterTargetLabels(
      manifests,
      podOf('c0ffee01', 'canary'),
      selectorsDuring('c0ffee01'),
    );
    expect(canary).toEqual([
      {
        namespace: 'aviary',
        service: 'bird-canary',
        pod: 'bird-c0ffee01-x7k2p',
        container: 'bird',
        endpoint: 'http',
        job: 'bird-canary',
        app_kubernetes_io_version: '0.1.0',
        rollouts_pod_template_hash: 'c0ffee01',
      },
    ]);
    // After promotion both Services select the stable pods: the canary monitor keeps none.
    const promoted = { 'rollouts-pod-template-hash': STABLE_HASH };
    const stable = clusterTargetLabels(manifests, podOf(STABLE_HASH, 'stable'), {
      bird: promoted,
      'bird-canary': promoted,
    });
    expect(stable.map((labels) => labels.job)).toEqual(['bird']);
  });
});

describe('the canary analysis against a real Prometheus (the Debian package, 2.42 here)', () => {
  beforeAll(async () => {
    prometheusVersion(); // fails (never skips) without Prometheus
    // The compiled service, as its image runs it.
    const build = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT });
    if (build.status !== 0) throw new Error(`npm run build failed: ${String(build.stdout)}`);
    // The stable pod (healthy upstream) and one pod per kind of canary, started together.
    const kinds: (PodKind & { track: 'stable' | 'canary' })[] = [
      { ...CANARIES.healthy, hash: STABLE_HASH, track: 'stable' },
      ...Object.values(CANARIES).map((canary) => ({ ...canary, track: 'canary' as const })),
    ];
    const pods = await Promise.all(
      kinds.map(async (kind) => {
        const { port } = await startBird(await startImageUpstream(kind.upstream), kind.env);
        const canaryHash = kind.track === 'canary' ? kind.hash : CANARIES.healthy.hash;
        return {
          pod: podOf(kind.hash, kind.track),
          port,
          requests: kind.requests,
          checked: 'checked' in kind && kind.checked,
          warmUp: WARM_UP,
          selectors: selectorsDuring(canaryHash),
        };
      }),
    );
    const targets: ScrapeTarget[] = pods.flatMap(({ pod, port, selectors }) =>
      clusterTargetLabels(manifests, pod, selectors as never).map((labels) => ({
        address: `127.0.0.1:${port}`,
        labels,
      })),
    );
    const served = pods.filter((p) => p.requests);
    const checked = pods.filter((p) => p.checked);
    const warmed = [...served, ...checked];
    await Promise.all(warmed.map(({ port, warmUp }) => traffic(port, warmUp, 2)));
    kubeStateMetrics = createServer((_, res) => res.end(restartsExposition()));
    await new Promise<void>((resolve) => kubeStateMetrics!.listen(0, '127.0.0.1', resolve));
    const { port: ksmPort } = kubeStateMetrics.address() as { port: number };
    const ksm = { address: `127.0.0.1:${ksmPort}`, labels: { job: 'kube-state-metrics' } };
    prometheus = await startPrometheus([...targets, ksm], '1s');
    await prometheus.waitForTargets();
    // Traffic over several scrapes, so that every counter has a before and an after.
    const checks = async (port: number) => {
      for (let run = 0; run < CHECKS; run++) {
        checkExits.push(await contractCheck(port));
        await sleep(1500);
      }
    };
    await Promise.all([
      ...served.map(({ port }) => traffic(port, REQUESTS, 50)),
      ...checked.map(({ port }) => checks(port)),
    ]);
    for (const { pod, port } of warmed) await seenByPrometheus(pod.name, await servedByRoot(port));
  }, 150_000);

  /**
   * How many requests the bird on `port` counted on `GET /`, by its own `/metrics`. Not the
   * number sent: on a busy machine the load shedder answers some with 503 before routing, and
   * those count under another route.
   */
  async function servedByRoot(port: number): Promise<number> {
    const exposition = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return exposition
      .split('\n')
      .filter((line) => line.startsWith('http_requests_total{') && line.includes('route="/"'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  /**
   * Waits until Prometheus holds all `total` requests of `pod` and at least one increase between
   * two samples (a rate needs both). A fixed sleep would be flaky on a busy machine, where
   * scrapes come late.
   */
  async function seenByPrometheus(pod: string, total: number): Promise<void> {
    const route = `http_requests_total{route="/", pod="${pod}"}`;
    const ready = `sum(${route}) == ${total} and sum(changes(${route}[5m])) >= 1`;
    for (let waited = 0; ; waited += 250) {
      const result = await prometheus!.query(ready);
      if (Array.isArray(result) && result.length === 1) return;
      if (waited > 30_000) throw new Error(`Prometheus never saw the ${total} requests of ${pod}`);
      await sleep(250);
    }
  }

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => kubeStateMetrics?.close(resolve));
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it('passes a healthy canary on every objective', async () => {
    expect(await judge(CANARIES.healthy.hash)).toEqual(ALL_PASS);
  });

  // Each bad canary must fail on the objective it breaks. (A degraded or failing canary may also
  // be slow on a starved machine; any failed objective aborts the release all the same.)
  const bad: [CanaryKind, string][] = [
    ['slow', 'aviary-latency-p99'],
    ['degraded', 'aviary-fallback-ratio'],
    ['failing', 'aviary-error-ratio'],
  ];
  it.each(bad)('fails a %s canary on %s', async (kind, objective) => {
    const phases = await judge(CANARIES[kind].hash);
    expect(phases[objective]).toBe('Failed');
    // A starved machine sheds some requests of any pod with 503 (event-loop lag): leave those
    // out, so that the failing canary must fail on its injected 500s alone, and the others
    // must answer no 5xx of their own.
    const errorRatio = templates.find((t) => t.metadata.name === 'aviary-error-ratio')!;
    expect(errorRatio.spec.metrics[0]!.provider.prometheus!.query).toContain('status=~"5.."');
    const unshed = await judge(CANARIES[kind].hash, (t) => ({
      ...t,
      query: t.query.replace('status=~"5.."', 'status=~"5..", status!="503"'),
    }));
    expect(
      unshed['aviary-error-ratio'],
      `aviary-error-ratio of the ${kind} canary, its shed 503s left out`,
    ).toBe(kind === 'failing' ? 'Failed' : 'Successful');
  });

  // Issue 19, 5a: at quiet hours a canary at 10 % gets no user request for minutes. Its pods still
  // answer Prometheus's scrapes and the kubelet's probes, which prove nothing about requests: no
  // evidence, no verdict. (An earlier query made this a pass, and a quiet night promoted a
  // release 0 → 100 % on no request at all.)
  it('calls an idle canary inconclusive, never successful: no request, no evidence', async () => {
    expect(await judge(CANARIES.idle.hash)).toEqual({
      'aviary-error-ratio': 'Inconclusive',
      'aviary-latency-p99': 'Inconclusive',
      'aviary-fallback-ratio': 'Inconclusive',
    });
  });

  // The evidence the analysis creates: its Job runs bird's contract check on the canary every
  // minute (Argo Rollouts: exit 0 is a Successful measurement, anything else Failed), and the
  // objectives judge those requests.
  it('passes a quiet canary on the requests of the contract check alone', async () => {
    expect(checkExits).toEqual(Array.from({ length: CHECKS }, () => 0));
    expect(await judge(CANARIES.checked.hash)).toEqual(ALL_PASS);
  });

  describe('the restarts objective (kube-state-metrics, matched by pod name)', () => {
    const judgeRestarts = async (hash: string, query = restartsTemplate.spec.metrics[0]!) => {
      const metric = restartsTemplate.spec.metrics[0]!;
      const result = await prometheus!.query(
        resolveArgs(query.provider.prometheus!.query!, rolloutArgs(hash)),
      );
      return evaluateResult(result, {
        successCondition: metric.successCondition,
        failureCondition: metric.failureCondition,
      });
    };

    it("passes a canary whose containers never restarted, whatever the stable pods' past", async () => {
      expect(await judgeRestarts(CANARIES.healthy.hash)).toBe('Successful');
    });

    it('fails a canary whose container restarted (a crash its own metrics never count)', async () => {
      expect(await judgeRestarts(CANARIES.failing.hash)).toBe('Failed');
    });

    it('calls a canary kube-state-metrics does not report inconclusive', async () => {
      expect(await judgeRestarts(UNSEEN_HASH)).toBe('Inconclusive');
    });

    it('would blame the canary for the stable pods when the pod name is not matched', async () => {
      const metric = restartsTemplate.spec.metrics[0]!;
      const loose = {
        ...metric,
        provider: {
          prometheus: {
            query: metric.provider.prometheus!.query!.replace(/pod=~"[^"]*"/, 'pod=~".+"'),
          },
        },
      };
      expect(await judgeRestarts(CANARIES.healthy.hash, loose)).toBe('Failed');
    });
  });

  it('calls a canary Prometheus does not see at all inconclusive: no series, no verdict', async () => {
    expect(await judge(UNSEEN_HASH)).toEqual({
      'aviary-error-ratio': 'Inconclusive',
      'aviary-latency-p99': 'Inconclusive',
      'aviary-fallback-ratio': 'Inconclusive',
    });
  });

  describe('would let a bad canary through, or stop a good one, when', () => {
    it('the query does not tell the canary from the other pods', async () => {
      const mixed = await judge(CANARIES.healthy.hash, (t) => ({
        ...t,
        query: t.query.replaceAll(/, rollouts_pod_template_hash="[^"]*"/g, ''),
      }));
      // Every pod's answers together: the healthy canary is blamed for the others' faults.
      expect(mixed).not.toEqual(ALL_PASS);
    });

    it('the query misspells the hash label', async () => {
      const typo = await judge(CANARIES.failing.hash, (t) => ({
        ...t,
        query: t.query.replaceAll('rollouts_pod_template_hash', 'rollouts_pod_hash'),
      }));
      expect(typo['aviary-error-ratio']).toBe('Inconclusive');
    });

    it('the condition compares the wrong way', async () => {
      const flipped = await judge(CANARIES.healthy.hash, (t) => ({
        query: t.query,
        success: t.success?.replace('<=', '>'),
        failure: t.failure?.replace('>', '<='),
      }));
      expect(flipped).not.toEqual(ALL_PASS);
    });

    it('the threshold is a percentage instead of a ratio', async () => {
      const lenient = await judge(CANARIES.failing.hash, (t) => ({
        query: t.query,
        success: t.success?.replace(/0\.05$/, '5'),
        failure: t.failure?.replace(/0\.05$/, '5'),
      }));
      expect(lenient['aviary-error-ratio']).toBe('Successful');
    });

    it('the condition indexes the result without checking it holds a value', async () => {
      const unguarded = await judge(UNSEEN_HASH, (t) => ({
        query: t.query,
        success: t.success?.replace('len(result) == 1 && ', ''),
        failure: t.failure?.replace('len(result) == 1 && ', ''),
      }));
      // Argo Rollouts marks such a measurement Error; enough of them abort the release.
      expect(unguarded['aviary-error-ratio']).toBe('Error');
    });
  });
});
