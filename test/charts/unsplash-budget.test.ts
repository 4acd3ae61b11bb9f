/**
 * Issue 19, item 5h: `UNSPLASH_SEARCHES_PER_HOUR` is a budget per birdImage pod (each pod spends
 * its own token bucket, apps/bird-image/dependencies.ts), while the key's hourly limit is shared
 * by every pod. The most birdImage pods that can run at once, times the budget, must stay within
 * the environment's key limit, and use it. Read from dist/: each autoscaler's maximum over the
 * bird-image workload (Deployment or Rollout), plus the surge of the strategy it rolls with; and
 * where a Rollout takes the Deployment over (`workloadRef`), Argo Rollouts v1.9.1 scales the
 * Deployment down only once the Rollout is healthy (rollout/sync.go), so both run at once.
 */
import { describe, expect, it } from 'vitest';
import { production } from '../../charts/environments.js';
import { searchesPerPod } from '../../charts/unsplash-budget.js';
import type { ConfigMap, KubeObject } from '../support/k8s-types.js';
import { loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';

const SERVICE = 'bird-image';
const VARIABLE = 'UNSPLASH_SEARCHES_PER_HOUR';
const manifests = loadManifests();

type Hpa = KubeObject & {
  spec: { maxReplicas: number; scaleTargetRef: { kind: string; name: string } };
};
type Workload = KubeObject & {
  spec: {
    workloadRef?: { kind: string; name: string };
    strategy?: {
      rollingUpdate?: { maxSurge?: number | string };
      canary?: { maxSurge?: number | string };
    };
  };
};

/**
 * The most pods of `name` at once: an autoscaler's maximum plus its workload's surge, or both
 * workloads at that maximum while a Rollout takes the Deployment over.
 */
function peakPods(all: readonly Manifest[], name: string): number {
  const workloads = [...ofKind<Workload>(all, 'Deployment'), ...ofKind<Workload>(all, 'Rollout')];
  const peaks = ofKind<Hpa>(all, 'HorizontalPodAutoscaler')
    .filter((hpa) => hpa.spec.scaleTargetRef.name === name)
    .map((hpa) => {
      const target = workloads.find(
        (w) => w.kind === hpa.spec.scaleTargetRef.kind && w.metadata.name === name,
      );
      const strategy = target?.spec.strategy;
      const surge = strategy?.rollingUpdate?.maxSurge ?? strategy?.canary?.maxSurge;
      if (typeof surge !== 'number') throw new Error(`${name}: surge ${surge} is not a count`);
      return hpa.spec.maxReplicas + surge;
    });
  if (peaks.length === 0) throw new Error(`no autoscaler scales ${name}`);
  const takenOver = ofKind<Workload>(all, 'Rollout').some(
    (r) => r.spec.workloadRef?.kind === 'Deployment' && r.spec.workloadRef.name === name,
  );
  const maxReplicas = Math.max(
    ...ofKind<Hpa>(all, 'HorizontalPodAutoscaler')
      .filter((hpa) => hpa.spec.scaleTargetRef.name === name)
      .map((hpa) => hpa.spec.maxReplicas),
  );
  return Math.max(...peaks, takenOver ? 2 * maxReplicas : 0);
}

/** Problems of birdImage's per-pod search budget against the key's hour. */
function budgetProblems(all: readonly Manifest[], keySearchesPerHour: number): string[] {
  const config = ofKind<ConfigMap>(all, 'ConfigMap').find((c) => c.metadata.name === SERVICE);
  const written = config?.data?.[VARIABLE];
  if (written === undefined) {
    return [
      `ConfigMap ${SERVICE} leaves ${VARIABLE} at the app's default, whatever the key allows`,
    ];
  }
  const perPod = Number(written);
  const pods = peakPods(all, SERVICE);
  if (pods * perPod > keySearchesPerHour) {
    return [`${pods} pods × ${perPod} searches exceed the key's ${keySearchesPerHour} an hour`];
  }
  if (pods * (perPod + 1) <= keySearchesPerHour) {
    return [
      `${pods} pods × ${perPod} searches leave the key's ${keySearchesPerHour} an hour unused`,
    ];
  }
  return [];
}

describe("5h. birdImage's Unsplash budget is the key's hour shared by its pods", () => {
  it('fits the most pods that can run at once into the key, using it', () => {
    expect(budgetProblems(manifests, production.unsplashSearchesPerHour)).toEqual([]);
  });

  it('reports the default left in place, and a maximum raised without the budget', () => {
    const unset = mutate<ConfigMap>(manifests, 'ConfigMap', SERVICE, (c) => {
      delete c.data![VARIABLE];
    });
    expect(budgetProblems(unset, production.unsplashSearchesPerHour)).toEqual([
      `ConfigMap ${SERVICE} leaves ${VARIABLE} at the app's default, whatever the key allows`,
    ]);
    const raised = mutate<Hpa>(manifests, 'HorizontalPodAutoscaler', SERVICE, (hpa) => {
      hpa.spec.maxReplicas = 20;
    });
    expect(budgetProblems(raised, production.unsplashSearchesPerHour)).toEqual([
      `40 pods × 250 searches exceed the key's 5000 an hour`,
    ]);
    expect(budgetProblems(manifests, 50_000)).toEqual([
      `20 pods × 250 searches leave the key's 50000 an hour unused`,
    ]);
  });

  it('refuses a key too small for the pods', () => {
    expect(() => searchesPerPod({ keySearchesPerHour: 10, maxReplicas: 10 })).toThrowError(
      /unsplashSearchesPerHour 10 cannot give each of 20 birdImage pods/,
    );
  });
});
