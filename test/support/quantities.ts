import type { IntOrString } from './k8s-types.js';

const SUFFIXES: Record<string, number> = {
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity (`100m`, `256Mi`, `2`) as a number, e.g. of cores or bytes. */
export function parseQuantity(value: IntOrString | undefined): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!match) return NaN;
  return Number(match[1]) * SUFFIXES[match[2] ?? '']!;
}

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
