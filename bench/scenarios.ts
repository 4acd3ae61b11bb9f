import catalog from '../apps/bird/facts/catalog.json' with { type: 'json' };
import {
  alternate,
  runBurst,
  runLoad,
  runPaced,
  summarize,
  type LoadOptions,
  type LoadSummary,
} from './load.js';
import {
  fetchBody,
  startBareServer,
  startService,
  type RunningServer,
  measureStartToReady,
} from './services.js';
import { startDeadUpstream, type LocalServer } from './upstreams.js';

/** How the bench runs; bench/run.ts reads it from the `BENCH_*` variables. */
export interface Settings {
  /** Latency of the stand-in Unsplash, in milliseconds. */
  readonly upstreamLatencyMs: number;
  readonly connections: number;
  /** Seconds of measured load per target and scenario. */
  readonly durationS: number;
  /** Seconds of load before a measurement (JIT, caches, keep-alive sockets). */
  readonly warmupS: number;
  /** The measured seconds are split into this many alternating rounds (service, bare, …). */
  readonly rounds: number;
  /** `UPSTREAM_TIMEOUT_MS` of the dead-upstream scenario. */
  readonly deadlineMs: number;
  readonly startupRuns: number;
  readonly synthRuns: number;
  /** Requests per second of the fixed-rate phases (latency below saturation). */
  readonly pacedRate: number;
  /** Seconds of each fixed-rate phase. */
  readonly pacedS: number;
  /** Node flags of the service processes (`BENCH_NODE_ARGS`), e.g. heap limits or --cpu-prof. */
  readonly nodeArgs: readonly string[];
}

/** One of scenarios 1–3: the service and the bare server under the same load. */
export interface Comparison {
  readonly title: string;
  /** The service measured. */
  readonly server: string;
  readonly service: LoadSummary;
  readonly bare: LoadSummary;
  /** The same at a fixed rate below saturation, where measured. */
  readonly paced?: { readonly service: LoadSummary; readonly bare: LoadSummary };
  /** A sanity check of what the load exercised, e.g. how many calls reached the upstream. */
  readonly check: string;
}

/** Scenario 4. */
export interface DeadUpstreamResult {
  readonly closed: LoadSummary;
  /** With the breaker open: at a fixed rate, then flat out. */
  readonly open: { readonly paced: LoadSummary; readonly saturated: LoadSummary };
  readonly breakerOpened: boolean;
  /** Calls that reached the dead upstream: with the breaker working, only the first wave. */
  readonly upstreamCalls: number;
  readonly peakRssBytes: number | undefined;
}

/** The birds of the embedded catalog: the names bird asks birdImage about. */
const CATALOG_NAMES = catalog.map((bird) => bird.name);

/** `/?birdName=…` over the catalog's names, in turn. */
export function catalogPaths(): () => string {
  let next = 0;
  return () => `/?birdName=${encodeURIComponent(CATALOG_NAMES[next++ % CATALOG_NAMES.length]!)}`;
}

/** `/?birdName=…` with a name never asked before: every lookup misses the cache. */
export function uniquePaths(prefix: string): () => string {
  let next = 0;
  const run = Date.now().toString(36);
  return () => `/?birdName=${prefix}-${run}-${next++}`;
}

/**
 * Warms `target` up, then measures it and a bare server alternately under the same closed-loop
 * load and, with `paced`, at a fixed rate. The bare server answers one real answer of the target
 * (fetched from `bodyPath` after the warm-up) or does what `env` tells bench/bare-server.ts.
 */
export async function compare(
  settings: Settings,
  target: RunningServer,
  bare: { readonly bodyPath: string } | { readonly env: Record<string, string> },
  options: { readonly path?: () => string; readonly paced?: boolean } = {},
): Promise<Pick<Comparison, 'service' | 'bare' | 'paced'> & { body: Buffer | undefined }> {
  const { path } = options;
  const load = (server: RunningServer): LoadOptions => ({
    url: server.url,
    connections: settings.connections,
    durationS: settings.durationS / settings.rounds,
    cpuMs: server.cpuMs,
    ...(path && { path }),
  });
  await runLoad({ ...load(target), durationS: settings.warmupS });
  const body = 'bodyPath' in bare ? await fetchBody(`${target.url}${bare.bodyPath}`) : undefined;
  const reference = await startBareServer(
    body ? { BARE_BODY_BASE64: body.toString('base64') } : 'env' in bare ? bare.env : {},
    target.pod,
  );
  try {
    await runLoad({ ...load(reference), durationS: settings.warmupS / 2 });
    const [service, bareSamples] = await alternate(
      [load(target), load(reference)],
      settings.rounds,
    );
    const paced = async (server: RunningServer) =>
      summarize(
        await runPaced({ ...load(server), rate: settings.pacedRate, durationS: settings.pacedS }),
      );
    return {
      service: summarize(service!),
      bare: summarize(bareSamples!),
      ...(options.paced && {
        paced: { service: await paced(target), bare: await paced(reference) },
      }),
      body,
    };
  } finally {
    await reference.stop();
  }
}

/**
 * Scenario 4: a warmed-up birdImage against an upstream that accepts and never answers. First a
 * burst of one request per open keep-alive connection, all sent while the breaker is closed
 * (each should take about the deadline); then, with the breaker open, fresh names at a fixed rate
 * and flat out (each should fail fast to the default image without a call).
 */
export async function deadUpstream(settings: Settings): Promise<DeadUpstreamResult> {
  const dead: LocalServer = await startDeadUpstream();
  try {
    const service = await startService(
      'bird-image',
      {
        UNSPLASH_ACCESS_KEY: 'bench-key',
        UNSPLASH_API_URL: dead.url,
        UPSTREAM_TIMEOUT_MS: String(settings.deadlineMs),
      },
      settings.nodeArgs,
    );
    try {
      const load = {
        url: service.url,
        connections: settings.connections,
        path: uniquePaths('dead'),
        timeoutS: settings.deadlineMs / 1000 + 10,
        cpuMs: service.cpuMs,
      };
      // An empty name answers the default image without a call: it warms everything else up.
      await runLoad({ ...load, path: () => '/?birdName=', durationS: 1 });
      const closed = await runBurst({ ...load, warmPath: '/?birdName=' });
      const metrics = (await fetchBody(`${service.url}/metrics`)).toString('utf8');
      const breakerOpened = /^circuit_breaker_state\{upstream="unsplash"\} 1$/m.test(metrics);
      // The breaker lets a trial call through 10 s after opening: all of this stays inside that.
      await runLoad({ ...load, durationS: 0.5 });
      const paced = await runPaced({ ...load, rate: settings.pacedRate, durationS: 3 });
      const saturated = await runLoad({ ...load, durationS: 3 });
      return {
        closed: summarize(closed),
        open: { paced: summarize(paced), saturated: summarize(saturated) },
        breakerOpened,
        upstreamCalls: dead.requests(),
        peakRssBytes: await service.peakRssBytes(),
      };
    } finally {
      await service.stop();
    }
  } finally {
    await dead.close();
  }
}

/** Scenario 5: start to ready of `start`, `runs` times after one unmeasured run. */
export async function startToReady(
  start: () => Promise<RunningServer>,
  runs: number,
): Promise<number[]> {
  await measureStartToReady(start);
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) times.push(await measureStartToReady(start));
  return times;
}
