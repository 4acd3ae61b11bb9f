import catalog from '../apps/bird/facts/catalog.json' with { type: 'json' };
import { CIRCUIT_STATE_VALUE, OPERATIONAL_PATHS } from '../apps/shared/operational-contract.js';
import * as stub from '../scripts/stand-ins/stub-upstream.js';
import { compare, type Comparison, type Plan, type ProcessFigures } from './compare.js';
import type { PodFacts, ServiceName } from './pods.js';
import { startServer, startToReady, type Role, type ServerProcess } from './processes.js';
import { spreadOf, type Spread } from './stats.js';

/** How the bench runs: bench/run.ts holds the defaults, the tests far shorter ones. */
export interface Settings extends Plan {
  /**
   * The fixed rate of the headline, in req/s; `rate` is every other scenario's. The headline's
   * rounds, like theirs, are `rounds` of `roundS` s per server.
   */
  readonly headlineRate: number;
  readonly startupRuns: number;
  /** Latency of the stand-in Unsplash (an internet round trip). */
  readonly upstreamLatencyMs: number;
  /** `UPSTREAM_TIMEOUT_MS` of birdImage against the dead upstream. */
  readonly deadlineMs: number;
  /** Run the compiled servers (`npm run build` first) rather than through tsx. */
  readonly compiled: boolean;
  readonly pods: Readonly<Record<ServiceName, PodFacts>>;
}

/**
 * The compared scenarios after the headline, in the order they run and are reported: bird's
 * `GET /` (bird alone, at `rate`), birdImage answering from its cache, birdImage with its breaker
 * open against a dead upstream.
 */
export const SCENARIOS = ['bird', 'cachedLookups', 'breakerOpen'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * The headline: bird's `GET /` at `headlineRate`, bird's and birdImage's CPU time counted
 * against bird's requests, and the RSS of the two.
 */
export interface Headline extends Comparison {
  readonly processes: readonly (ProcessFigures & {
    /** RSS just after it listens, before any request, in bytes. */
    readonly idleRssBytes: number;
  })[];
}

/** Everything one run measured. */
export interface Results {
  readonly headline: Headline;
  /**
   * The stack's floor, at the headline's rate: two `floor` processes (bench/child.ts), the first
   * loaded, the second only started, as birdImage mostly waits while bird answers from its cache.
   * Not judged: what any bird and birdImage on koa, @koa/router and got spend and hold at least.
   */
  readonly floor: Headline;
  readonly comparisons: Readonly<Record<Scenario, Comparison>>;
  /** Fork to the first 200 of /readyz, and CPU time by then: each service, and the bare server. */
  readonly startup: Readonly<
    Record<'bare' | ServiceName, Readonly<Record<'wallMs' | 'cpuMs', Spread>>>
  >;
  /** The highest peak RSS of each service's processes since they started, in bytes. */
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
    runtimeEnv: settings.pods[service].runtimeEnv,
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
    // The bare and floor servers run with bird's runtime settings, as its pod would.
    const server = await startServer(role, env, launch(role === 'bird-image' ? role : 'bird'));
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
    const compared = async (
      name: string,
      service: ServerProcess[],
      path: () => string,
      rate = settings.rate,
    ) => {
      log(name);
      return { name, ...(await compare({ ...settings, rate }, { service, bare }, path)) };
    };
    const birdImage = await start('bird-image', envs['bird-image']);
    const bird = await start('bird', { BIRD_IMAGE_URL: birdImage.url });
    // The headline's processes, bird loaded first. Their RSS at idle: just after they listen,
    // before any request (the answer checked below is the first).
    const pair = [bird, birdImage];
    const idleRssBytes = await rssNow(pair);
    const answer = (await (await fetch(bird.url)).json()) as { name: string; image: string };
    if (answer.image !== stub.thumbnailFor(answer.name.toLowerCase())) {
      throw new Error(`bird answered ${JSON.stringify(answer)}: not a photo from birdImage`);
    }
    const searches = (since: number) =>
      `${unsplash.requests.length - since} searches reached the stand-in Unsplash`;
    // The headline first, on processes nothing else has loaded yet.
    const headline = await compared(
      'bird `GET /`, both processes',
      pair,
      paths.root,
      settings.headlineRate,
    );
    // Counted now: bird picks its birds at random, so a run on a busy machine may not have
    // asked about all of them, and a later scenario's searches are not bird's.
    const headlineSearches = searches(0);
    const floorPair = [await start('floor', {}), await start('floor', {})];
    // Each floor server answers bird's bytes from now on; its RSS at idle is before any request.
    const floorIdleRssBytes = await rssNow(floorPair, JSON.stringify(answer));
    const floorAnswer = await (await fetch(floorPair[0]!.url)).text();
    if (floorAnswer !== JSON.stringify(answer)) {
      throw new Error(`the floor answered ${floorAnswer}, not bird's answer`);
    }
    const floor = await compared(
      'Koa and @koa/router, got loaded',
      floorPair,
      paths.root,
      settings.headlineRate,
    );
    await Promise.all(floorPair.map((server) => server.stop()));
    const afterHeadline = unsplash.requests.length;
    const birdRoot = await compared('bird `GET /`', [bird], paths.root);
    const birdSearches = searches(afterHeadline);
    // Every catalog name in birdImage's cache before its cached lookups are measured, whichever
    // birds bird happened to pick: otherwise the first lookups of the missed ones search.
    for (const name of catalogNames) {
      await fetch(`${birdImage.url}/?birdName=${encodeURIComponent(name)}`);
    }
    const before = unsplash.requests.length;
    const cached = await compared('birdImage, cached lookups', [birdImage], paths.catalog);

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
    const breakerOpen = await compared('birdImage, breaker open', [failing], paths.unique);
    const calls = `${dead.requests.length} calls reached the dead upstream (8 opened the breaker)`;
    const peakRss = async (server: ServerProcess) => (await server.usage()).maxRssBytes;
    return {
      headline: withIdleRss(headline, headlineSearches, idleRssBytes),
      floor: withIdleRss(floor, 'answered bird’s bytes', floorIdleRssBytes),
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

/** Each server's RSS now, in bytes; with `body`, a bare or floor server answers it from then on. */
const rssNow = (servers: readonly ServerProcess[], body?: string) =>
  Promise.all(servers.map(async (server) => (await server.usage(body)).rssBytes));

/** A two-process comparison with its check and each process's RSS at idle, in the same order. */
function withIdleRss(
  comparison: Omit<Comparison, 'check'>,
  check: string,
  idleRssBytes: readonly number[],
): Headline {
  return {
    ...comparison,
    check,
    processes: comparison.processes.map((figures, at) => ({
      ...figures,
      idleRssBytes: idleRssBytes[at]!,
    })),
  };
}
