import { SURGE_PODS } from './pod-budget.js';

/** Props of {@link searchesPerPod}. */
export interface SearchBudgetProps {
  /** Unsplash searches an hour the access key allows, for every pod together. */
  readonly keySearchesPerHour: number;
  /** The birdImage autoscaler's maximum replicas. */
  readonly maxReplicas: number;
}

/**
 * birdImage's `UNSPLASH_SEARCHES_PER_HOUR`: each pod spends its own token bucket, so the key's
 * hour is shared by the most pods that can run at once, the autoscaler's maximum plus the pods a
 * rollout surges ({@link SURGE_PODS}). Throws when the key cannot give each of them one search.
 *
 * @example
 * searchesPerPod({ keySearchesPerHour: 5000, maxReplicas: 10 }); // 454: 11 × 454 ≤ 5,000
 */
export function searchesPerPod({ keySearchesPerHour, maxReplicas }: SearchBudgetProps): number {
  const pods = maxReplicas + SURGE_PODS;
  const perPod = Math.floor(keySearchesPerHour / pods);
  if (!Number.isInteger(keySearchesPerHour) || perPod < 1) {
    throw new Error(
      `unsplashSearchesPerHour ${keySearchesPerHour} cannot give each of ${pods} birdImage pods ` +
        "(replicas.max plus a surge pod) a search an hour: use the key's whole hourly limit, " +
        'or lower replicas.max',
    );
  }
  return perPod;
}
