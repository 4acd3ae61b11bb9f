import { peakServicePods } from './pod-budget.js';

/** Props of {@link searchesPerPod}. */
export interface SearchBudgetProps {
  /** Unsplash searches an hour the access key allows, for every pod together. */
  readonly keySearchesPerHour: number;
  /** The birdImage autoscaler's maximum replicas. */
  readonly maxReplicas: number;
}

/**
 * birdImage's `UNSPLASH_SEARCHES_PER_HOUR`: each pod spends its own token bucket, so the key's
 * hour is shared by the most birdImage pods that can run at once ({@link peakServicePods}: twice
 * the autoscaler's maximum while a Rollout takes the Deployment over). Throws when the key cannot
 * give each of them one search.
 *
 * @example
 * searchesPerPod({ keySearchesPerHour: 5000, maxReplicas: 10 }); // 250: 20 × 250 ≤ 5,000
 */
export function searchesPerPod({ keySearchesPerHour, maxReplicas }: SearchBudgetProps): number {
  const pods = peakServicePods(maxReplicas);
  const perPod = Math.floor(keySearchesPerHour / pods);
  if (!Number.isInteger(keySearchesPerHour) || perPod < 1) {
    throw new Error(
      `unsplashSearchesPerHour ${keySearchesPerHour} cannot give each of ${pods} birdImage pods ` +
        "(at most at once) a search an hour: use the key's whole hourly limit, " +
        'or lower replicas.max',
    );
  }
  return perPod;
}
