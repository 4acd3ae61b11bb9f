/**
 * `npm run bench`: drives the compiled services (build/apps/<service>/server.js, built first by
 * the npm script) with autocannon against stand-in upstreams on 127.0.0.1, next to a bare
 * `node:http` server, and prints the tables; with `-- --record` it also writes them into
 * bench/RESULTS.md. See bench/README.md.
 */
import { cpus, loadavg, release, type } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { HOW_TO_READ } from './how-to-read.js';
import { renderResults, writeResults, type Results } from './report.js';
import {
  catalogPaths,
  compare,
  deadUpstream,
  startToReady,
  uniquePaths,
  type Comparison,
  type Settings,
} from './scenarios.js';
import {
  fetchBody,
  killAllChildrenNow,
  startFloorServer,
  startService,
  stopAllChildren,
  type RunningServer,
} from './services.js';
import { startNoiseMeter } from './noise.js';
import { measureSynth } from './synth.js';
import { STAND_IN_PHOTOS, startStandInUnsplash } from './upstreams.js';

const RESULTS_FILE = fileURLToPath(new URL('RESULTS.md', import.meta.url));

// A run leaves the tree clean unless asked to record: RESULTS.md is tracked, and a run on a
// busy laptop should not replace the committed figures by accident.
const RECORD = parseArguments(process.argv.slice(2));

function parseArguments(args: readonly string[]): boolean {
  const unknown = args.filter((arg) => arg !== '--record');
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown argument ${JSON.stringify(unknown[0])}; usage: npm run bench [-- --record]\n`,
    );
    process.exit(2);
  }
  return args.includes('--record');
}

function whole(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name}=${raw} must be a whole number`);
  }
  return value;
}

/** A sample of a Prometheus exposition, e.g. `cache_lookups_total{cache="image",result="miss"}`. */
async function metric(server: RunningServer, sample: string): Promise<number | undefined> {
  const exposition = (await fetchBody(`${server.url}/metrics`)).toString('utf8');
  const line = exposition.split('\n').find((text) => text.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** The settings, from `BENCH_*` variables where given. */
function settingsFrom(): Settings {
  return {
    upstreamLatencyMs: whole('BENCH_UPSTREAM_LATENCY_MS', 50),
    connections: 64,
    durationS: Math.max(whole('BENCH_DURATION_S', 6), 1),
    warmupS: 2,
    rounds: 2,
    deadlineMs: 2000,
    startupRuns: 5,
    synthRuns: 3,
    pacedRate: 1000,
    pacedS: 3,
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== ''),
  };
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Other work on the machine during each scenario, in cores; see bench/noise.ts. */
const noise: Record<string, number | undefined> = {};

/** Runs one scenario, logging its name and metering the machine's other work meanwhile. */
async function scenario<T>(name: string, run: () => Promise<T>): Promise<T> {
  log(name);
  const meter = await startNoiseMeter();
  try {
    return await run();
  } finally {
    noise[name] = await meter.stop();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const settings = settingsFrom();
  const loadAtStart = loadavg()[0]!;
  const unsplash = await startStandInUnsplash(settings.upstreamLatencyMs);
  try {
    const imageEnv = { UNSPLASH_ACCESS_KEY: 'bench-key', UNSPLASH_API_URL: unsplash.url };
    const { startupRuns, nodeArgs } = settings;
    const startToReadyMs = await scenario('5. start to ready', async () => ({
      bird: await startToReady(
        () => startService('bird', { BIRD_IMAGE_URL: unsplash.url }, nodeArgs),
        startupRuns,
      ),
      birdImage: await startToReady(
        () => startService('bird-image', imageEnv, nodeArgs),
        startupRuns,
      ),
      floor: await startToReady(startFloorServer, startupRuns),
    }));

    const birdImage = await startService('bird-image', imageEnv, nodeArgs);
    const bird = await startService('bird', { BIRD_IMAGE_URL: birdImage.url }, nodeArgs);
    const pods = {
      bird: { pod: bird.pod, memoryLimited: bird.memoryLimited },
      birdImage: { pod: birdImage.pod, memoryLimited: birdImage.memoryLimited },
    };
    const comparisons: Comparison[] = [];

    const steady = await scenario('1. bird steady state', () =>
      compare(settings, bird, { bodyPath: '/' }, { paced: true }),
    );
    const { image } = JSON.parse(steady.body!.toString('utf8')) as { image: string };
    if (!image.startsWith(STAND_IN_PHOTOS)) {
      throw new Error(`bird answered ${image}, not a photo from birdImage: the chain is broken`);
    }
    const misses = await metric(bird, 'cache_lookups_total{cache="image",result="miss"}');
    comparisons.push({
      title: `1. bird \`GET /\`, steady state`,
      server: 'bird → birdImage',
      ...steady,
      check:
        `bird's image cache missed ${misses ?? '?'} times (once per catalog bird), then hit; ` +
        `${bird.logLines().toLocaleString('en-US')} log lines written`,
    });

    const before = unsplash.requests();
    const cached = await scenario('2. birdImage cached lookups', () =>
      compare(settings, birdImage, { bodyPath: catalogPaths()() }, { path: catalogPaths() }),
    );
    comparisons.push({
      title: '2. birdImage cached lookups (the 60 catalog names in turn)',
      server: 'birdImage',
      ...cached,
      check: `${unsplash.requests() - before} calls reached the stand-in Unsplash`,
    });

    const coldBefore = unsplash.requests();
    const connectionsBefore = unsplash.connections();
    const cold = await scenario('3. birdImage cold lookups', () =>
      compare(
        settings,
        birdImage,
        { env: { BARE_PROXY_URL: unsplash.url } },
        { path: uniquePaths('cold') },
      ),
    );
    comparisons.push({
      title: `3. birdImage cold lookups (unique names; upstream ${settings.upstreamLatencyMs} ms)`,
      server: 'birdImage',
      ...cold,
      check:
        `bare = the same upstream call, nothing else; stand-in: ` +
        `${(unsplash.requests() - coldBefore).toLocaleString('en-US')} calls over ` +
        `${unsplash.connections() - connectionsBefore} connections (both servers)`,
    });
    const peakRssBytes = {
      bird: await bird.peakRssBytes(),
      birdImage: await birdImage.peakRssBytes(),
    };
    await Promise.all([bird.stop(), birdImage.stop()]);

    const dead = await scenario('4. dead upstream', () => deadUpstream(settings));
    const synth = await scenario('7. synth', () => measureSynth(settings.synthRuns));

    const results: Results = {
      machine: {
        cores: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
        node: process.version,
        os: `${type()} ${release()}`,
        loadAverage: { start: loadAtStart, end: loadavg()[0]! },
        date: new Date().toISOString(),
      },
      settings,
      pods,
      noise,
      comparisons,
      deadUpstream: dead,
      startToReadyMs,
      peakRssBytes,
      synth,
      wallSeconds: (performance.now() - started) / 1000,
    };
    const generated = renderResults(results);
    if (RECORD) {
      await writeResults(RESULTS_FILE, generated, HOW_TO_READ);
      process.stdout.write(`${generated}\n\nWritten to bench/RESULTS.md.\n`);
    } else {
      process.stdout.write(
        `${generated}\n\nNot recorded (how to read these: bench/RESULTS.md). ` +
          '`npm run bench -- --record` writes them into bench/RESULTS.md.\n',
      );
    }
  } finally {
    await stopAllChildren();
    await unsplash.close();
  }
}

process.on('exit', killAllChildrenNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping what the bench started`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
