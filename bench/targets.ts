import type { ServiceName } from './pods.js';
import type { Results, Settings } from './scenarios.js';
import { judge, spreadOf, type Spread, type Verdict } from './stats.js';

/** One goal, judged on this run; why each goal and bound: bench/README.md, "Targets". */
export interface Target {
  readonly goal: string;
  readonly measured: Spread;
  readonly unit: string;
  readonly verdict: Verdict;
}

/** CPU time per request of a service, at most this many times the bare server's. */
export const CPU_RATIO_BOUND = 4;
/** CPU time of a service from start to ready, at most this, in ms. */
export const STARTUP_CPU_BOUND_MS = 400;
/**
 * Start-up is judged only if the bare server started on at most this CPU time, in ms, in the same
 * run: more means the machine's neighbours were slowing every process down.
 */
export const QUIET_BARE_STARTUP_CPU_MS = 100;

const SERVICES: readonly ServiceName[] = ['bird', 'bird-image'];

/** The targets of bench/README.md, judged on `results`. */
export function targetsOf(results: Results, settings: Settings): Target[] {
  const rate = `${settings.rate.toLocaleString('en-US')} req/s`;
  const [bird, , breakerOpen] = results.comparisons;
  const latency = (comparison: typeof bird, bound: number): Target => ({
    goal: `${comparison.name}: p99 ≤ ${bound} ms at ${rate}`,
    measured: comparison.p99Ms.service,
    unit: 'ms',
    verdict: judge(comparison.p99Ms.service, bound, { spread: comparison.p99Ms.bare, bound }),
  });
  return [
    ...results.comparisons.map((comparison) => ({
      goal: `${comparison.name}: CPU per request ≤ ${CPU_RATIO_BOUND} × bare, at ${rate}`,
      measured: comparison.cpuRatio,
      unit: '×',
      verdict: judge(comparison.cpuRatio, CPU_RATIO_BOUND),
    })),
    latency(bird, 5),
    latency(breakerOpen, 10),
    ...SERVICES.map((service) => ({
      goal: `${service}: CPU time from start to ready ≤ ${STARTUP_CPU_BOUND_MS} ms`,
      measured: results.startup[service].cpuMs,
      unit: 'ms',
      verdict: judge(results.startup[service].cpuMs, STARTUP_CPU_BOUND_MS, {
        spread: results.startup.bare.cpuMs,
        bound: QUIET_BARE_STARTUP_CPU_MS,
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
