/**
 * Issue 19, point 3: today's dist/ applies over every dist/ this branch has carried, and each
 * environment's render over each of its earlier renders (environments/<name>/). An object
 * that keeps its kind, namespace and name keeps each field the API server makes immutable
 * (support/immutable-fields.ts cites where kubernetes/kubernetes enforces each); a change needs
 * a new name, and the upgrade notes say how the old object goes (docs/deploying.md, "Upgrading").
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, type AviaryEnvironment } from '../../charts/environments.js';
import { distHistory } from './support/dist-history.js';
import { immutableFieldChanges } from './support/immutable-fields.js';
import { inventoryPruneProblems, unannotatedHandOvers } from './support/inventory-prune.js';
import type { KubeObject } from '../support/k8s-types.js';
import { DIST, loadManifests, mutate, type Manifest } from '../support/manifests.js';

const today = loadManifests().map((m) => m.object);
// Read once: every version that touched dist/, parsed from git's objects.
const history = distHistory();

describe('upgrading from any earlier dist/', () => {
  it('reads the whole history of dist/, the first commit included', () => {
    // More than one version, or the comparison below proves nothing.
    expect(history.length).toBeGreaterThan(1);
  });

  // Production's folder is DIST (AVIARY_DIST may point a run at another copy of it).
  const ROOT = path.resolve(DIST, '..');
  type GitOps = AviaryEnvironment['gitops'];
  /** Every render the environment kept in `gitops.path` has had, from git's objects. */
  const earlierRenders = (gitops: GitOps) =>
    gitops.path === 'dist' ? history : distHistory(gitops.path);
  /**
   * What `check` finds from each earlier render of the environment to today's, each line naming
   * the commit it is from.
   */
  const sinceEachEarlierRender = (
    gitops: GitOps,
    check: (before: readonly KubeObject[], after: readonly KubeObject[]) => string[],
  ) => {
    const current =
      gitops.path === 'dist'
        ? today
        : loadManifests(path.join(ROOT, gitops.path)).map((m) => m.object);
    return earlierRenders(gitops).flatMap(({ commit, objects }) =>
      check(objects, current).map((problem) => `from ${commit}: ${problem}`),
    );
  };

  it.each(Object.entries(environments))(
    'changes no immutable field of an object that keeps its name: %s',
    (_name, { gitops }) => {
      expect(sinceEachEarlierRender(gitops, immutableFieldChanges)).toEqual([]);
    },
  );

  // A unit prunes what its inventory lists from an earlier render as its own identity
  // (support/inventory-prune.ts cites fluxcd/pkg ssa and kustomize-controller).
  const renders = Object.values(environments).map((environment) => ({
    environment,
    manifests: loadManifests(path.join(ROOT, environment.gitops.path)),
  }));
  it.each(Object.entries(environments))(
    'leaves each Flux unit able to prune what its inventory lists from any earlier render: %s',
    (_name, { gitops }) => {
      const render = renders.find((r) => r.environment.gitops === gitops)!;
      const problems = earlierRenders(gitops).flatMap(({ manifests }) =>
        inventoryPruneProblems(manifests, render.manifests),
      );
      expect([...new Set(problems)]).toEqual([]);
    },
  );

  // Review of issue-19h: a unit's files keep what Flux's bootstrap file takes over from them,
  // prune-disabled, so a cluster that syncs them before its bootstrap is re-applied annotates
  // the live objects that the new bootstrap then deletes from the unit's build.
  it.each(renders.map((r) => [r.environment.gitops.path, r.manifests] as const))(
    "keeps what Flux's bootstrap file takes over prune-disabled in the unit's files: %s",
    (_path, manifests) => {
      expect(unannotatedHandOvers(manifests)).toEqual([]);
    },
  );

  describe('catches', () => {
    const current = renders.find((r) => r.environment === environments.production)!.manifests;
    type WithRules = KubeObject & { rules: { resources?: string[]; resourceNames?: string[] }[] };
    const withRules = (
      manifests: readonly Manifest[],
      kind: string,
      name: string,
      keep: (rule: WithRules['rules'][number]) => boolean,
    ) =>
      mutate<WithRules>(manifests, kind, name, (role) => {
        role.rules = role.rules.filter(keep);
      });
    const platformFile = current.find((m) => m.object.kind === 'NetworkPolicy')!.file;
    // The render before the hand-over: the platform Kustomization had no patches, so its unit
    // applied the quota, the LimitRange and the units' Roles from its file.
    const beforeHandOver = mutate<KubeObject>(current, 'Kustomization', 'aviary-platform', (k) => {
      delete (k.spec as { patches?: unknown }).patches;
    });

    /** Today's render with the annotations of the manifests `pick` selects removed. */
    const unannotated = (pick: (m: Manifest) => boolean) =>
      current.map((m) =>
        pick(m)
          ? { ...m, object: { ...m.object, metadata: { ...m.object.metadata, annotations: {} } } }
          : m,
      );

    it("nothing on today's render over the render before the hand-over", () => {
      expect(inventoryPruneProblems(beforeHandOver, current)).toEqual([]);
    });

    it('a platform identity that lost the get of a PriorityClass it applied', () => {
      const before = current.map((m) =>
        m.object.kind === 'PriorityClass' ? { ...m, file: platformFile } : m,
      );
      const lost = withRules(
        current,
        'ClusterRole',
        'aviary-platform',
        (rule) => !rule.resourceNames?.includes('aviary-web-0-never'),
      );
      expect(inventoryPruneProblems(before, lost)).toEqual([
        'aviary-platform prunes PriorityClass aviary-web-0-never: cannot get it by name, which its inventory lists',
      ]);
    });

    it('a platform identity that cannot get a Role the platform unit applied', () => {
      const lost = withRules(
        current,
        'Role',
        'gitops-platform',
        (rule) => !rule.resources?.includes('roles'),
      );
      expect(inventoryPruneProblems(beforeHandOver, lost)).toEqual(
        ['gitops-services', 'gitops-monitoring', 'gitops-rollouts', 'gitops-vpa'].map(
          (role) =>
            `aviary-platform prunes Role aviary/${role}: cannot get it by name, which its inventory lists`,
        ),
      );
    });

    it("a handed-over object that Flux's bootstrap file applies without prune disabled", () => {
      const unprotected = unannotated((m) => m.object.kind === 'ResourceQuota');
      expect(inventoryPruneProblems(beforeHandOver, unprotected)).toEqual([
        "aviary-platform prunes ResourceQuota aviary/aviary: Flux's bootstrap file applies it without prune disabled",
      ]);
    });

    it("a handed-over object without prune disabled in the unit's file", () => {
      const bare = unannotated((m) => m.object.kind === 'LimitRange' && !m.file.includes('/'));
      expect(unannotatedHandOvers(bare)).toEqual([
        'aviary-platform: 0001-namespace.k8s.yaml holds LimitRange aviary without prune disabled',
      ]);
    });

    it('a unit that lost the delete of a kind it applied', () => {
      const lost = withRules(
        current,
        'Role',
        'gitops-services',
        (rule) => !rule.resources?.includes('poddisruptionbudgets'),
      );
      const after = lost.filter((m) => m.object.kind !== 'PodDisruptionBudget');
      expect(inventoryPruneProblems(current, after)).toEqual(
        ['bird-image', 'bird'].map(
          (name) =>
            `aviary-services prunes PodDisruptionBudget aviary/${name}: cannot [get, delete] policy/poddisruptionbudgets`,
        ),
      );
    });
  });

  it.each([
    ['scheduling.k8s.io/v1', 'PriorityClass', { value: 100000 }],
    ['storage.k8s.io/v1', 'StorageClass', { parameters: { numberOfReplicas: '2' } }],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding', { roleRef: { kind: 'ClusterRole' } }],
  ] as const)('catches a changed %s %s', (apiVersion, kind, change) => {
    const before = today.find((o) => o.apiVersion === apiVersion && o.kind === kind)!;
    const after = { ...structuredClone(before), ...change } as KubeObject;
    expect(immutableFieldChanges([before], [after])).toHaveLength(1);
  });

  it('catches a changed Deployment selector, and lets its template change', () => {
    const before = today.find((o) => o.kind === 'Deployment')!;
    const relabelled = structuredClone(before) as KubeObject & {
      spec: { selector: { matchLabels: Record<string, string> }; template: unknown };
    };
    relabelled.spec.selector.matchLabels['extra'] = 'label';
    expect(immutableFieldChanges([before], [relabelled])).toHaveLength(1);
    const retemplated = structuredClone(before) as typeof relabelled;
    retemplated.spec.template = {};
    expect(immutableFieldChanges([before], [retemplated])).toEqual([]);
  });
});
