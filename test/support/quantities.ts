import type { IntOrString } from './k8s-types.js';

/**
 * How many pods an int-or-percent of `replicas` means, rounded up as the disruption and
 * rollout controllers round `maxUnavailable` and `maxSurge`.
 */
export function scaledCount(value: IntOrString | undefined, replicas: number): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : NaN;
}
