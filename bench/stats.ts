/** How one figure varied over a scenario's rounds. */
export interface Spread {
  readonly median: number;
  /**
   * The lowest and highest round: a verdict reads both. Of 7 rounds, the chance that all fall on
   * one side of the true median is 1 in 64, so a verdict that holds across them holds run to run.
   */
  readonly min: number;
  readonly max: number;
}

/**
 * A target's verdict: `met` when every round is within the bound, `missed` when every round is
 * beyond, `inconclusive` when it straddles the bound or the machine could not
 * show it (see {@link judge}), `n/a` when unmeasured.
 */
export type Verdict = 'met' | 'missed' | 'inconclusive' | 'n/a';

/** The `q` quantile (0–1) of ascending `sorted`, interpolated between ranks; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

/** Median and range of `values`; what is not a finite number is left out. */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * Judges a figure that must stay at or below `bound`. With `machine`, a gauge of the machine
 * measured in the same run (the bare server), a miss counts only if the gauge met its own
 * bound: when even the bare server could not, the machine was too busy to tell.
 */
export function judge(
  spread: Spread,
  bound: number,
  machine?: { readonly spread: Spread; readonly bound: number },
): Verdict {
  if (!Number.isFinite(spread.median) || !Number.isFinite(bound)) return 'n/a';
  if (spread.max <= bound) return 'met';
  if (spread.min <= bound) return 'inconclusive';
  return machine && judge(machine.spread, machine.bound) !== 'met' ? 'inconclusive' : 'missed';
}
