import type { Comparison } from './compare.js';
import type { ServiceName } from './pods.js';
import { SCENARIOS, type Headline, type Results, type Settings } from './scenarios.js';
import { judge, spreadOf, type Spread, type Verdict } from './stats.js';

/** One goal, judged on this run; why each goal and bound: bench/README.md, "Targets, and why". */
export interface Target {
  readonly goal: string;
  readonly measured: Spread;
  readonly unit: string;
  readonly verdict: Verdict;
}

/**
 * The headline: bird's and birdImage's CPU time per request of bird's `GET /` together, at most
 * this many times the bare server's, at the headline rate (issue 23).
 */
export const CPU_RATIO_HEADLINE_BOUND = 2.5;
/**
 * The headline: bird's and birdImage's RSS together at the headline rate, at most this, in bytes:
 * 140 MB, that is 133.5 MiB (issue 23).
 */
export const RSS_HEADLINE_BOUND_BYTES = 140 * 1000 * 1000;
/** CPU time per request of a service in the other scenarios, at most this many times the bare server's. */
export const CPU_RATIO_BOUND = 4;
/** A service's start to ready, at most this, in ms. */
export const STARTUP_BOUND_MS = 400;
/**
 * A miss of start-up counts only if the bare server was ready within this, in ms, in the same
 * run (a bare Node process needs 30–50 ms on an idle machine): longer means the neighbours were
 * slowing every process down.
 */
export const QUIET_BARE_STARTUP_MS = 100;

const SERVICES: readonly ServiceName[] = ['bird', 'bird-image'];

/** The targets of a run: the headline's, reported first, and the others. */
export interface Targets {
  readonly headline: readonly Target[];
  readonly others: readonly Target[];
}

const rateOf = (comparison: Pick<Comparison, 'rate'>) =>
  `${comparison.rate.toLocaleString('en-US')} req/s`;
const oneDecimal = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
/** Bytes in MB and in MiB, so that the reader is never in doubt which: `140 MB (133.5 MiB)`. */
export const megabytes = (bytes: number) =>
  `${oneDecimal(bytes / 1e6)} MB (${oneDecimal(bytes / 2 ** 20)} MiB)`;

/** The targets of bench/README.md, judged on `results`. */
export function targetsOf(results: Results, settings: Settings): Targets {
  return { headline: headlineTargets(results.headline), others: otherTargets(results, settings) };
}

/** The headline's two verdicts: CPU per request against the bare server's, and the pair's RSS. */
export function headlineTargets(
  headline: Pick<Headline, 'name' | 'rate' | 'cpuRatio' | 'highestRssBytes'>,
): Target[] {
  const measuredMB = spreadOf([headline.highestRssBytes / 1e6]);
  return [
    {
      goal: `${headline.name}: CPU per request ≤ ${CPU_RATIO_HEADLINE_BOUND} × bare, at ${rateOf(headline)}`,
      measured: headline.cpuRatio,
      unit: '×',
      verdict: judge(headline.cpuRatio, CPU_RATIO_HEADLINE_BOUND),
    },
    {
      goal:
        `${headline.name}: RSS of the two ≤ ${megabytes(RSS_HEADLINE_BOUND_BYTES)}, ` +
        `the highest at ${rateOf(headline)}`,
      measured: measuredMB,
      unit: 'MB',
      verdict: judge(measuredMB, RSS_HEADLINE_BOUND_BYTES / 1e6),
    },
  ];
}

function otherTargets(results: Results, settings: Settings): Target[] {
  const { bird, breakerOpen } = results.comparisons;
  const latency = (comparison: Comparison, bound: number): Target => ({
    goal: `${comparison.name}: p99 ≤ ${bound} ms at ${rateOf(comparison)}`,
    measured: comparison.p99Ms.service,
    unit: 'ms',
    verdict: judge(comparison.p99Ms.service, bound, { spread: comparison.p99Ms.bare, bound }),
  });
  return [
    ...SCENARIOS.map((scenario) => results.comparisons[scenario]).map((comparison) => ({
      goal: `${comparison.name}: CPU per request ≤ ${CPU_RATIO_BOUND} × bare, at ${rateOf(comparison)}`,
      measured: comparison.cpuRatio,
      unit: '×',
      verdict: judge(comparison.cpuRatio, CPU_RATIO_BOUND),
    })),
    latency(bird, 5),
    latency(breakerOpen, 10),
    ...SERVICES.map((service) => ({
      goal: `${service}: start to ready ≤ ${STARTUP_BOUND_MS} ms`,
      measured: results.startup[service].wallMs,
      unit: 'ms',
      verdict: judge(results.startup[service].wallMs, STARTUP_BOUND_MS, {
        spread: results.startup.bare.wallMs,
        bound: QUIET_BARE_STARTUP_MS,
      }),
    })),
    ...SERVICES.map((service) => {
      const boundMiB = (settings.pods[service].memoryTargetBytes * 2) / 3 / 2 ** 20;
      const measured = spreadOf([results.peakRssBytes[service] / 2 ** 20]);
      return {
        goal: `${service}: peak RSS ≤ ${boundMiB.toFixed(0)} MiB, ⅔ of its autoscaler's memory target`,
        measured,
        unit: 'MiB',
        verdict: judge(measured, boundMiB),
      };
    }),
  ];
}
