import type { ServiceName } from './pods.js';
import { SCENARIOS, type Comparison, type Results, type Settings } from './scenarios.js';
import { judge, spreadOf, type Spread, type Verdict } from './stats.js';

/** One goal, judged on this run; why each goal and bound: bench/README.md, "Targets, and why". */
export interface Target {
  readonly goal: string;
  readonly measured: Spread;
  readonly unit: string;
  readonly verdict: Verdict;
}

/** CPU time per request of a service, at most this many times the bare server's. */
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

/** The targets of bench/README.md, judged on `results`. */
export function targetsOf(results: Results, settings: Settings): Target[] {
  const rate = `${settings.rate.toLocaleString('en-US')} req/s`;
  const { bird, breakerOpen } = results.comparisons;
  const latency = (comparison: Comparison, bound: number): Target => ({
    goal: `${comparison.name}: p99 ≤ ${bound} ms at ${rate}`,
    measured: comparison.p99Ms.service,
    unit: 'ms',
    verdict: judge(comparison.p99Ms.service, bound, { spread: comparison.p99Ms.bare, bound }),
  });
  return [
    ...SCENARIOS.map((scenario) => results.comparisons[scenario]).map((comparison) => ({
      goal: `${comparison.name}: CPU per request ≤ ${CPU_RATIO_BOUND} × bare, at ${rate}`,
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
