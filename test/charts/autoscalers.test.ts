/**
 * One autoscaler per set of pods, and its target present, in every combination of layers a
 * cluster can hold (support/autoscalers.ts states the controllers' rules and cites their source):
 * every rendered environment, through kubectl and through each GitOps controller.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, production } from '../../charts/environments.js';
import { ROLLOUTS_FOLDER } from '../../charts/layout.js';
import {
  autoscalerProblems,
  layerCombinations,
  type LayerCombination,
} from './support/autoscalers.js';
import type { HorizontalPodAutoscaler, KubeObject } from '../support/k8s-types.js';
import { listFiles, loadManifests, mutate, type Manifest } from '../support/manifests.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const renders = Object.entries(environments).map(([name, environment]) => {
  const dir = path.join(ROOT, environment.gitops.path);
  const files = listFiles(dir);
  const manifests = loadManifests(dir);
  return {
    name,
    combinations: layerCombinations(files, manifests, environment.gitops.path, ROLLOUTS_FOLDER),
  };
});

describe.each(renders)('the $name environment', ({ combinations }) => {
  it('is applied by kubectl, with and without the rollouts layer, and by both controllers', () => {
    expect(combinations.map((c) => c.name)).toEqual([
      expect.stringMatching(/^kubectl apply -f \S+$/),
      expect.stringMatching(/^kubectl apply -f \S+ -f \S+\/rollouts$/),
      'Argo CD, every Application',
      'Flux, every Kustomization',
    ]);
  });

  it.each(combinations.map((c) => [c.name, c] as const))(
    'has one autoscaler per set of pods, each with its target: %s',
    (_, combination) => {
      expect(combination.manifests.length).toBeGreaterThan(0);
      expect(autoscalerProblems(combination)).toEqual([]);
    },
  );
});

describe('the rules, on broken copies of dist/', () => {
  const files = listFiles();
  const manifests = loadManifests();
  const combination = (name: RegExp, broken: readonly Manifest[], brokenFiles = files) =>
    layerCombinations(brokenFiles, broken, production.gitops.path, ROLLOUTS_FOLDER).find((c) =>
      name.test(c.name),
    )!;
  const inRollouts = (kind: string, name: string, change: (object: KubeObject) => void) =>
    manifests.map((m) => {
      if (!m.file.startsWith(`${ROLLOUTS_FOLDER}/`)) return m;
      if (m.object.kind !== kind || m.object.metadata.name !== name) return m;
      const copy = structuredClone(m);
      change(copy.object);
      return copy;
    });

  const cases: [string, () => LayerCombination, RegExp][] = [
    [
      // The dist/ of main before issue 19: `<name>-rollout` beside the Deployment's `<name>`.
      'a Rollout autoscaler named apart from the Deployment one (both apply)',
      () =>
        combination(
          /-f dist\/rollouts$/,
          inRollouts('HorizontalPodAutoscaler', 'bird', (h) => {
            h.metadata.name = 'bird-rollout';
          }),
        ),
      /HorizontalPodAutoscaler aviary\/bird-rollout and bird scale the same pods/,
    ],
    [
      'an autoscaler in the rollouts layer still scaling the Deployment',
      () =>
        combination(
          /-f dist\/rollouts$/,
          inRollouts('HorizontalPodAutoscaler', 'bird', (h) => {
            (h as HorizontalPodAutoscaler).spec.scaleTargetRef = {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'bird',
            };
          }),
        ),
      /HorizontalPodAutoscaler aviary\/bird: scales Deployment bird, which Rollout bird takes over/,
    ],
    [
      'a Rollout autoscaler at the top level, where kubectl applies no Rollout',
      () => {
        const moved = manifests.map((m) =>
          m.file.startsWith(`${ROLLOUTS_FOLDER}/`) && m.object.kind === 'HorizontalPodAutoscaler'
            ? { ...m, file: '0004-autoscaling.k8s.yaml' }
            : m,
        );
        return combination(/^kubectl apply -f dist$/, moved);
      },
      /HorizontalPodAutoscaler aviary\/bird(-image)?: scales Rollout bird(-image)?, which this combination does not hold/,
    ],
    [
      'an Argo CD Application syncing the Deployment autoscalers beside the rollouts layer',
      () =>
        combination(
          /^Argo CD/,
          mutate<KubeObject & { spec: { source: { directory: { include?: string } } } }>(
            manifests,
            'Application',
            'aviary-services',
            (a) => {
              a.spec.source.directory.include =
                '{*-services,*-synthetic-check,*-autoscaling}.k8s.yaml';
            },
          ),
        ),
      /Argo CD, every Application: HorizontalPodAutoscaler aviary\/bird(-image)?: scales Deployment/,
    ],
    [
      'a Flux source fetching the Deployment autoscalers beside the rollouts layer',
      () =>
        combination(
          /^Flux/,
          mutate<KubeObject & { spec: { ignore: string } }>(
            manifests,
            'GitRepository',
            'aviary-services',
            (g) => {
              g.spec.ignore += '!/dist/*-autoscaling.k8s.yaml\n';
            },
          ),
        ),
      /Flux, every Kustomization: HorizontalPodAutoscaler aviary\/bird(-image)? and bird(-image)? scale the same pods/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    expect(autoscalerProblems(broken())).toContainEqual(expect.stringMatching(expected));
  });
});
