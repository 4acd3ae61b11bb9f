import { readFile, writeFile } from 'node:fs/promises';
import type { LoadSummary } from './load.js';
import type { PodSettings } from './pod.js';
import type { Comparison, DeadUpstreamResult, Settings } from './scenarios.js';
import type { SynthTiming } from './synth.js';

/** Everything one run of the bench measured. */
export interface Results {
  readonly machine: {
    readonly cores: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly os: string;
    readonly loadAverage: { readonly start: number; readonly end: number };
    readonly date: string;
  };
  readonly settings: Settings;
  /** How each service ran (scenarios 1–6): the pod it mimics, and whether its memory limit held. */
  readonly pods: Readonly<
    Record<'bird' | 'birdImage', { readonly pod?: PodSettings; readonly memoryLimited: boolean }>
  >;
  /** Cores busy with work other than the bench's, on average, during each scenario. */
  readonly noise: Readonly<Record<string, number | undefined>>;
  readonly comparisons: readonly Comparison[];
  readonly deadUpstream: DeadUpstreamResult;
  readonly startToReadyMs: {
    readonly bird: number[];
    readonly birdImage: number[];
    /** A bare `node -e` server that only listens: the floor. */
    readonly floor: number[];
  };
  readonly peakRssBytes: {
    readonly bird: number | undefined;
    readonly birdImage: number | undefined;
  };
  readonly synth: { readonly npm: SynthTiming; readonly app: SynthTiming };
  readonly wallSeconds: number;
}

/** One goal of the issue, checked against this run. */
interface Target {
  readonly goal: string;
  readonly measured: string;
  /** `undefined` when it could not be measured. */
  readonly met: boolean | undefined;
}

export const BEGIN_MARKER = '<!-- bench:begin — written by `npm run bench`; edit outside -->';
export const END_MARKER = '<!-- bench:end -->';

// Two decimals below 10 ms, one below 100: enough to tell 10.3 ms from a 10 ms target.
const ms = (value: number) =>
  Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0) : 'n/a';
const rps = (value: number) => Math.round(value).toLocaleString('en-US');
const signedMs = (value: number) => `${value < 0 ? '−' : '+'}${ms(Math.abs(value))} ms`;
const mb = (bytes: number | undefined) =>
  bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`;
const verdict = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? 'met' : '**missed**';

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const cpu = (summary: LoadSummary) =>
  summary.cpuUsPerRequest === undefined ? 'n/a' : summary.cpuUsPerRequest.toFixed(0);

function loadRow(
  cells: { scenario: string; server: string; ratio?: string; notes?: string },
  summary: LoadSummary,
): string {
  const failures = summary.failures === 0 ? '' : ` (${summary.failures} failed)`;
  return (
    `| ${cells.scenario} | ${cells.server} | ${rps(summary.requestsPerSecond)}${failures} | ` +
    `${ms(summary.p50Ms)} | ${ms(summary.p99Ms)} | ${cpu(summary)} | ${cells.ratio ?? ''} | ` +
    `${cells.notes ?? ''} |`
  );
}

const ratioOf = (service: LoadSummary, bare: LoadSummary) =>
  (service.requestsPerSecond / bare.requestsPerSecond).toFixed(2);

function synthText(timing: SynthTiming): string {
  return timing.ok
    ? `${ms(median(timing.runsMs))} ms (median of ${timing.runsMs.length}: ${timing.runsMs.map(ms).join(', ')})`
    : `failed: ${timing.reason}`;
}

function podText(pods: Results['pods']): string {
  const each = Object.entries(pods).map(([service, { pod, memoryLimited }]) => {
    const limit = pod ? `${(pod.memoryLimitBytes / 2 ** 20).toFixed(0)} MiB` : 'none';
    const held = memoryLimited ? 'held by a memory cgroup' : '**not held: no cgroup to be had**';
    return `${service} ${limit} (${held}), NODE_OPTIONS ${pod?.nodeOptions ?? 'unset'}`;
  });
  return (
    `Pods (from dist/; each bare server runs as the service it is compared with): ` +
    `${each.join('; ')}.`
  );
}

function targets(results: Results): Target[] {
  const {
    comparisons,
    deadUpstream: dead,
    startToReadyMs,
    peakRssBytes,
    synth,
    settings,
  } = results;
  const bird = comparisons[0];
  const ratio = bird ? bird.service.requestsPerSecond / bird.bare.requestsPerSecond : Number.NaN;
  const startup = {
    bird: median(startToReadyMs.bird),
    birdImage: median(startToReadyMs.birdImage),
  };
  const rss = [peakRssBytes.bird, peakRssBytes.birdImage, dead.peakRssBytes];
  const known = rss.filter((bytes): bytes is number => bytes !== undefined);
  const synthMs = synth.npm.ok ? median(synth.npm.runsMs) : Number.NaN;
  const rate = `${rps(settings.pacedRate)} req/s`;
  const p99 = (summary: LoadSummary | undefined) => `${ms(summary?.p99Ms ?? Number.NaN)} ms`;
  return [
    {
      goal: 'bird steady state ≥ 0.25 × bare req/s',
      measured: `${ratio.toFixed(2)} ×`,
      met: bird && ratio >= 0.25,
    },
    {
      goal: `bird p99 ≤ 5 ms, ${settings.connections} connections flat out`,
      measured: `${p99(bird?.service)} (bare: ${p99(bird?.bare)})`,
      met: bird && bird.service.p99Ms <= 5,
    },
    {
      goal: `bird p99 ≤ 5 ms, ≤ ${settings.connections} connections at ${rate}`,
      measured: `${p99(bird?.paced?.service)} (bare: ${p99(bird?.paced?.bare)})`,
      met: bird?.paced && bird.paced.service.p99Ms <= 5,
    },
    {
      goal: `dead upstream, breaker closed: p99 ≤ deadline (${settings.deadlineMs} ms)`,
      measured: `${p99(dead.closed)} (${signedMs(dead.closed.p99Ms - settings.deadlineMs)})`,
      met: dead.closed.p99Ms <= settings.deadlineMs,
    },
    {
      goal: `dead upstream, breaker open: p99 ≤ 10 ms at ${rate}`,
      measured: p99(dead.open.paced),
      met: dead.breakerOpened && dead.open.paced.p99Ms <= 10,
    },
    {
      goal: `dead upstream, breaker open: p99 ≤ 10 ms, ${settings.connections} connections flat out`,
      measured: p99(dead.open.saturated),
      met: dead.breakerOpened && dead.open.saturated.p99Ms <= 10,
    },
    {
      goal: 'peak RSS ≤ 100 MB per service',
      measured: `bird ${mb(rss[0])}, birdImage ${mb(rss[1])} (${mb(rss[2])} in scenario 4)`,
      met: known.length === rss.length ? known.every((bytes) => bytes <= 100 * 2 ** 20) : undefined,
    },
    {
      goal: 'start to ready ≤ 400 ms',
      measured: `bird ${ms(startup.bird)} ms, birdImage ${ms(startup.birdImage)} ms`,
      met: Math.max(startup.bird, startup.birdImage) <= 400,
    },
    {
      goal: '`npm run synth` ≤ 1.5 s',
      measured: synth.npm.ok ? `${ms(synthMs)} ms` : 'failed',
      met: synth.npm.ok ? synthMs <= 1500 : undefined,
    },
  ];
}

/** The generated part of bench/RESULTS.md, also printed. */
export function renderResults(results: Results): string {
  const { machine, settings, comparisons, deadUpstream: dead } = results;
  const { startToReadyMs, peakRssBytes, synth } = results;
  const rate = `${rps(settings.pacedRate)} req/s`;
  const lines = [
    `Run of ${machine.date} on ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ` +
      `${machine.os}; load average ${machine.loadAverage.start.toFixed(1)} at start, ` +
      `${machine.loadAverage.end.toFixed(1)} at end; the bench took ${results.wallSeconds.toFixed(0)} s.`,
    '',
    `Settings: stand-in Unsplash latency ${settings.upstreamLatencyMs} ms; ` +
      `${settings.connections} connections; flat out: ${settings.durationS} s per server and ` +
      `scenario in ${settings.rounds} alternating rounds after ${settings.warmupS} s of warm-up; ` +
      `fixed rate: ${rate} for ${settings.pacedS} s; LOG_LEVEL=info (the request log goes to a ` +
      `drained pipe); service node flags: ${settings.nodeArgs.join(' ') || 'none'}.`,
    '',
    podText(results.pods),
    '',
    `Other work on the machine (cores busy outside the bench, of ${machine.cores}): ` +
      Object.entries(results.noise)
        .map(([name, cores]) => `${name.split('.')[0]}: ${cores?.toFixed(1) ?? 'n/a'}`)
        .join(', ') +
      '.',
    '',
    '| scenario | server | req/s | p50 ms | p99 ms | CPU µs/req | × bare | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const { title, server, service, bare, paced, check } of comparisons) {
    lines.push(
      loadRow({ scenario: title, server, ratio: ratioOf(service, bare), notes: check }, service),
      loadRow({ scenario: '', server: 'bare `node:http`', ratio: '1.00' }, bare),
    );
    if (paced) {
      const scenario = `${title.split(',')[0]}, at a fixed ${rate}`;
      lines.push(
        loadRow({ scenario, server, notes: 'latency below saturation' }, paced.service),
        loadRow({ scenario: '', server: 'bare `node:http`' }, paced.bare),
      );
    }
  }
  const open = dead.breakerOpened ? 'open' : '**not open**';
  lines.push(
    loadRow(
      {
        scenario: '4. dead upstream (hangs), breaker closed',
        server: 'birdImage',
        notes: `UPSTREAM_TIMEOUT_MS=${settings.deadlineMs}; one request per open keep-alive connection, all at once`,
      },
      dead.closed,
    ),
    loadRow(
      {
        scenario: `4. dead upstream, breaker ${open}, at a fixed ${rate}`,
        server: 'birdImage',
        notes: 'fresh names; each answers the default image',
      },
      dead.open.paced,
    ),
    loadRow(
      {
        scenario: `4. dead upstream, breaker ${open}, flat out`,
        server: 'birdImage',
        notes: `calls that reached the dead upstream in all of scenario 4: ${dead.upstreamCalls}`,
      },
      dead.open.saturated,
    ),
    '',
    '| measurement | bird | birdImage |',
    '| --- | ---: | ---: |',
    `| 5. start to ready: spawn → first 200 of /readyz (median; runs) | ` +
      `${ms(median(startToReadyMs.bird))} ms (${startToReadyMs.bird.map(ms).join(', ')}) | ` +
      `${ms(median(startToReadyMs.birdImage))} ms (${startToReadyMs.birdImage.map(ms).join(', ')}) |`,
    `| the same for a bare \`node -e\` server that only listens (the floor) | ` +
      `${ms(median(startToReadyMs.floor))} ms (${startToReadyMs.floor.map(ms).join(', ')}) | |`,
    `| 6. peak RSS (VmHWM) | ${mb(peakRssBytes.bird)} after scenario 1 | ` +
      `${mb(peakRssBytes.birdImage)} after scenarios 1–3; ${mb(dead.peakRssBytes)} after 4 |`,
    '',
    '| 7. synth | wall time |',
    '| --- | ---: |',
    `| \`npm run synth\` (\`-- --output\` a temporary folder) | ${synthText(synth.npm)} |`,
    `| \`${synth.app.command}\` alone: the app behind it (CDK8S_OUTDIR a temporary folder) | ${synthText(synth.app)} |`,
    '',
    '| target | measured | verdict |',
    '| --- | --- | --- |',
    ...targets(results).map((t) => `| ${t.goal} | ${t.measured} | ${verdict(t.met)} |`),
  );
  return lines.join('\n');
}

/**
 * Writes `generated` between the markers of `file`, keeping what is outside them (the profiles
 * and fixes are written by hand); creates the file when it does not exist.
 */
export async function writeResults(file: string, generated: string, howToRead: string) {
  const block = `${BEGIN_MARKER}\n\n${generated}\n\n${howToRead}\n\n${END_MARKER}`;
  let previous: string | undefined;
  try {
    previous = await readFile(file, 'utf8');
  } catch {
    previous = undefined;
  }
  const begin = previous?.indexOf(BEGIN_MARKER) ?? -1;
  const end = previous?.indexOf(END_MARKER) ?? -1;
  const next =
    previous !== undefined && begin >= 0 && end > begin
      ? previous.slice(0, begin) + block + previous.slice(end + END_MARKER.length)
      : `# Aviary benchmark results\n\n${block}\n\n## Profiles and fixes\n\n(none recorded yet)\n`;
  await writeFile(file, next);
}
