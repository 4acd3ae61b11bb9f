import type { Agent } from 'node:http';
import catalog from '../apps/bird/facts/catalog.json' with { type: 'json' };
import { CIRCUIT_STATE_VALUE, OPERATIONAL_PATHS } from '../apps/shared/operational-contract.js';
import * as stub from '../scripts/stand-ins/stub-upstream.js';
import { atFixedRate, connectionPool, flatOut, percentiles, type Phase } from './load.js';
import type { PodFacts, ServiceName } from './pods.js';
import { startServer, startToReady, type Role, type ServerProcess } from './processes.js';
import { spreadOf, type Spread } from './stats.js';

/** How the bench runs: bench/run.ts holds the defaults, the tests far shorter ones. */
export interface Settings {
  /** Rounds of each compared scenario, each `roundS` s per server at `rate` req/s. */
  readonly rounds: number;
  readonly roundS: number;
  readonly rate: number;
  /** Seconds flat out after the rounds, and as long to warm up before them (JIT, caches). */
  readonly flatOutS: number;
  readonly startupRuns: number;
  /** Latency of the stand-in Unsplash (an internet round trip). */
  readonly upstreamLatencyMs: number;
  /** `UPSTREAM_TIMEOUT_MS` of birdImage against the dead upstream. */
  readonly deadlineMs: number;
  /** Run the compiled servers (`npm run build` first) rather than through tsx. */
  readonly compiled: boolean;
  readonly pods: Readonly<Record<ServiceName, PodFacts>>;
}

/** The two servers of a comparison: the service measured, and the bare server it is read against. */
type Side = 'service' | 'bare';

/** A figure of the service next to the bare server's, over the same rounds. */
export type Paired = Readonly<Record<Side, Spread>>;

/** A service and a bare server answering the same bytes, measured in alternating rounds. */
export interface Comparison {
  readonly name: string;
  /** What shows the scenario exercised what it says, e.g. calls that reached the upstream. */
  readonly check: string;
  /** CPU µs per request; `cpuRatio` is each round's service figure over the bare server's. */
  readonly cpuUs: Paired;
  readonly cpuRatio: Spread;
  /** Latency at the fixed rate. */
  readonly p50Ms: Paired;
  readonly p99Ms: Paired;
  /** The service's non-2xx answers, errors and timeouts in all rounds. */
  readonly failures: number;
  /** Reported, never judged: saturation depends on the load generator and the neighbours. */
  readonly flatOut: Readonly<Record<Side, Phase>>;
}

/**
 * The compared scenarios, in the order they run and are reported: bird's `GET /`, birdImage
 * answering from its cache, birdImage with its breaker open against a dead upstream.
 */
export const SCENARIOS = ['bird', 'cachedLookups', 'breakerOpen'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Everything one run measured. */
export interface Results {
  readonly comparisons: Readonly<Record<Scenario, Comparison>>;
  /** Fork to the first 200 of /readyz, and CPU time by then: each service, and the bare server. */
  readonly startup: Readonly<Record<Role, Readonly<Record<'wallMs' | 'cpuMs', Spread>>>>;
  /** The highest peak RSS of each service's processes, in bytes. */
  readonly peakRssBytes: Readonly<Record<ServiceName, number>>;
}

const catalogNames = catalog.map((bird) => bird.name);
let asked = 0;
const paths = {
  root: () => '/',
  /** The catalog's names in turn: what bird asks birdImage about. */
  catalog: () => `/?birdName=${encodeURIComponent(catalogNames[asked++ % catalogNames.length]!)}`,
  /** A name never asked before: every lookup misses the cache. */
  unique: () => `/?birdName=bench-${process.pid}-${asked++}`,
};

/** Runs every scenario in turn and stops every process it started, whatever happens. */
export async function runBench(settings: Settings, log: (step: string) => void): Promise<Results> {
  const unsplash = await stub.startStubUpstream(
    stub.unsplashSearch({ delayMs: settings.upstreamLatencyMs }),
  );
  const dead = await stub.startStubUpstream(stub.hang());
  const launch = (service: ServiceName) => ({
    compiled: settings.compiled,
    nodeOptions: settings.pods[service].nodeOptions,
  });
  const envs = {
    bare: {},
    bird: { BIRD_IMAGE_URL: unsplash.url },
    // Thousands of new names: the hourly search quota would answer most of them without a call.
    'bird-image': {
      UNSPLASH_ACCESS_KEY: 'bench-key',
      UNSPLASH_API_URL: unsplash.url,
      UNSPLASH_SEARCHES_PER_HOUR: '1000000',
    },
  };
  const running: ServerProcess[] = [];
  const start = async (role: Role, env: Record<string, string>) => {
    const server = await startServer(role, env, launch(role === 'bare' ? 'bird' : role));
    running.push(server);
    return server;
  };
  try {
    log('start to ready');
    const runs = { bare: [] as Startup[], bird: [] as Startup[], 'bird-image': [] as Startup[] };
    for (let run = 0; run < settings.startupRuns; run += 1) {
      for (const role of ['bare', 'bird', 'bird-image'] as const) {
        runs[role].push(
          await startToReady(role, envs[role], launch(role === 'bare' ? 'bird' : role)),
        );
      }
    }
    const spreads = (times: Startup[]) => ({
      wallMs: spreadOf(times.map((time) => time.wallMs)),
      cpuMs: spreadOf(times.map((time) => time.cpuMs)),
    });
    const startup = {
      bare: spreads(runs.bare),
      bird: spreads(runs.bird),
      'bird-image': spreads(runs['bird-image']),
    };

    // One bare server for every scenario; each gives it the answer to send.
    const bare = await start('bare', {});
    const compared = async (name: string, server: ServerProcess, path: () => string) => {
      log(name);
      return { name, ...(await compare(settings, { service: server, bare }, path)) };
    };
    const birdImage = await start('bird-image', envs['bird-image']);
    const bird = await start('bird', { BIRD_IMAGE_URL: birdImage.url });
    const answer = (await (await fetch(bird.url)).json()) as { name: string; image: string };
    if (answer.image !== stub.thumbnailFor(answer.name.toLowerCase())) {
      throw new Error(`bird answered ${JSON.stringify(answer)}: not a photo from birdImage`);
    }
    const searches = (since: number) =>
      `${unsplash.requests.length - since} searches reached the stand-in Unsplash`;
    const birdRoot = await compared('bird `GET /`', bird, paths.root);
    // Counted now: bird picks its birds at random, so a run on a busy machine may not have
    // asked about all of them, and a later scenario's searches are not bird's.
    const birdSearches = searches(0);
    // Every catalog name in birdImage's cache before its cached lookups are measured, whichever
    // birds bird happened to pick: otherwise the first lookups of the missed ones search.
    for (const name of catalogNames) {
      await fetch(`${birdImage.url}/?birdName=${encodeURIComponent(name)}`);
    }
    const before = unsplash.requests.length;
    const cached = await compared('birdImage, cached lookups', birdImage, paths.catalog);

    const failing = await start('bird-image', {
      ...envs['bird-image'],
      UNSPLASH_API_URL: dead.url,
      UPSTREAM_TIMEOUT_MS: String(settings.deadlineMs),
    });
    // More failures at once than the breaker tolerates; each waits for its deadline.
    await Promise.all(Array.from({ length: 8 }, () => fetch(`${failing.url}${paths.unique()}`)));
    const metrics = await (await fetch(`${failing.url}${OPERATIONAL_PATHS.metrics}`)).text();
    const open = `circuit_breaker_state{upstream="unsplash"} ${CIRCUIT_STATE_VALUE.open}\n`;
    if (!metrics.includes(open))
      throw new Error('the breaker did not open against a dead upstream');
    const breakerOpen = await compared('birdImage, breaker open', failing, paths.unique);
    const calls = `${dead.requests.length} calls reached the dead upstream (8 opened the breaker)`;
    const peakRss = async (server: ServerProcess) => (await server.usage()).maxRssBytes;
    return {
      comparisons: {
        bird: { ...birdRoot, check: birdSearches },
        cachedLookups: { ...cached, check: searches(before) },
        breakerOpen: { ...breakerOpen, check: calls },
      },
      startup,
      peakRssBytes: {
        bird: await peakRss(bird),
        'bird-image': Math.max(await peakRss(birdImage), await peakRss(failing)),
      },
    };
  } finally {
    await Promise.all(running.map((server) => server.stop()));
    await Promise.all([unsplash.close(), dead.close()]);
  }
}

type Startup = Awaited<ReturnType<typeof startToReady>>;

/** One server's figures over a round. */
type Round = {
  readonly cpuUs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
};

/** Slices per round: the two servers take turns this often, so that both meet the same machine. */
const SLICES = 8;

/** The order in which the two servers take their turns within a round. */
const SIDES: readonly Side[] = ['service', 'bare'];

/** A server of a comparison and the keep-alive pool its load goes over. */
type Loaded = { readonly target: ServerProcess; readonly agent: Agent };

/**
 * Warms the service up, gives the bare server one of its real answers to send, then measures the
 * two in rounds at the fixed rate, each round {@link SLICES} turns of each server; then each flat
 * out.
 */
async function compare(
  settings: Settings,
  { service: server, bare }: Readonly<Record<Side, ServerProcess>>,
  path: () => string,
): Promise<Omit<Comparison, 'name' | 'check'>> {
  await flatOut(server.url, path, settings.flatOutS);
  await bare.usage(await (await fetch(`${server.url}${path()}`)).text());
  await flatOut(bare.url, path, settings.flatOutS);
  const servers = {
    service: { target: server, agent: connectionPool() },
    bare: { target: bare, agent: connectionPool() },
  };
  const rounds: Record<Side, Round>[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    rounds.push(await measureRound(servers, path, settings));
  }
  for (const side of SIDES) servers[side].agent.destroy();
  const paired = (figure: (round: Round) => number): Paired => ({
    service: spreadOf(rounds.map((round) => figure(round.service))),
    bare: spreadOf(rounds.map((round) => figure(round.bare))),
  });
  return {
    cpuUs: paired((round) => round.cpuUs),
    cpuRatio: spreadOf(rounds.map(({ service, bare }) => service.cpuUs / bare.cpuUs)),
    p50Ms: paired((round) => round.p50Ms),
    p99Ms: paired((round) => round.p99Ms),
    failures: rounds.reduce((sum, round) => sum + round.service.failures, 0),
    flatOut: {
      service: await flatOut(server.url, path, settings.flatOutS),
      bare: await flatOut(bare.url, path, settings.flatOutS),
    },
  };
}

/** One round: the servers take turns at the fixed rate, `roundS` s each in all. */
async function measureRound(
  servers: Readonly<Record<Side, Loaded>>,
  path: () => string,
  { rate, roundS }: Settings,
): Promise<Record<Side, Round>> {
  const tally = () => ({ latencies: [] as number[], failures: 0, cpuUs: 0 });
  const totals = { service: tally(), bare: tally() };
  for (let slice = 0; slice < SLICES; slice += 1) {
    for (const side of SIDES) {
      const { target, agent } = servers[side];
      const before = await target.usage();
      const phase = await atFixedRate(target.url, path, { rate, seconds: roundS / SLICES, agent });
      const total = totals[side];
      total.cpuUs += (await target.usage()).cpuUs - before.cpuUs;
      total.latencies.push(...phase.latencies);
      total.failures += phase.failures;
    }
  }
  const round = ({ latencies, failures, cpuUs }: ReturnType<typeof tally>): Round => ({
    cpuUs: cpuUs / (latencies.length + failures),
    failures,
    ...percentiles(latencies),
  });
  return { service: round(totals.service), bare: round(totals.bare) };
}
