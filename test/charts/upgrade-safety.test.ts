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
import type { KubeObject } from '../support/k8s-types.js';
import { DIST, loadManifests, type Manifest } from '../support/manifests.js';
import { allowsOn, grantsOf, rulesIn } from './support/rbac-reach.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Role = KubeObject & { rules?: Rule[] };

/** Whether `role` allows every verb of `verbs` on `group`/`resource`. */
const allows = (role: Role, group: string, resource: string, verbs: readonly string[]) =>
  verbs.every((verb) =>
    (role.rules ?? []).some(
      (rule) =>
        rule.apiGroups.includes(group) &&
        rule.resources.includes(resource) &&
        rule.verbs.includes(verb),
    ),
  );

/**
 * The GitOps identities' Roles (`gitops-*`) of `after` that can no longer get and delete a kind
 * the Role of the same name and namespace in `before` could apply (patch).
 */
function pruneRightProblems(before: readonly KubeObject[], after: readonly KubeObject[]): string[] {
  const roles = (objects: readonly KubeObject[]) =>
    objects.filter((o): o is Role => o.kind === 'Role' && o.metadata.name.startsWith('gitops-'));
  return roles(before).flatMap((old) => {
    const now = roles(after).find(
      (r) =>
        r.metadata.name === old.metadata.name && r.metadata.namespace === old.metadata.namespace,
    );
    if (!now) return [];
    return (old.rules ?? [])
      .filter((rule) => rule.verbs.includes('patch'))
      .flatMap((rule) =>
        rule.apiGroups.flatMap((group) =>
          rule.resources
            .filter((resource) => !allows(now, group, resource, ['get', 'delete']))
            .map(
              (resource) =>
                `Role ${old.metadata.namespace}/${old.metadata.name} can no longer get and ` +
                `delete ${group}/${resource}, which it could apply`,
            ),
        ),
      );
  });
}

/**
 * The cluster-scoped objects of `before` (an earlier render, which the platform unit applied)
 * that Flux's bootstrap file of `current` applies under the same kind and name, and that the
 * platform unit's Flux identity (`account`) cannot get by name. The unit no longer applies them,
 * so its first reconcile finds them in its inventory and prunes them: fluxcd/pkg ssa/v0.76.1
 * (ssa/manager_delete.go:68-91, as kustomize-controller v1.9.4 uses it) gets each, then skips it
 * as `prune: disabled`; a forbidden get is PruneFailed, forever. Names the current render no
 * longer holds need no right: the documented upgrade has the controller's own identity prune them
 * before the unit switches identity (docs/deploying.md, "Upgrading", preflight).
 */
function clusterPruneProblems(
  before: readonly KubeObject[],
  current: readonly Manifest[],
  account: string,
): string[] {
  const key = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`;
  const bootstrapped = new Set(
    current
      .filter((m) => !m.file.includes('/') && m.object.metadata.namespace === undefined)
      .map((m) => key(m.object)),
  );
  const rules = rulesIn(
    grantsOf(
      { name: account, namespace: 'flux-system' },
      current.map((m) => m.object),
    ),
    undefined,
  );
  return before
    .filter((o) => bootstrapped.has(key(o)))
    .filter((o) => {
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
      const resource = `${o.kind.toLowerCase()}${o.kind.endsWith('s') ? 'es' : 's'}`;
      return !allowsOn(rules, group, resource, 'get', o.metadata.name);
    })
    .map((o) => `${account} cannot get ${o.kind} ${o.metadata.name}, which its inventory lists`);
}

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

  // A unit prunes what its inventory lists from an earlier render as its own identity: fluxcd/pkg
  // ssa (v0.76.1, ssa/manager_delete.go) gets each object first, and kustomize-controller (v1.9.4,
  // kustomization_controller.go) turns a forbidden get or delete into PruneFailed, forever.
  it.each(Object.entries(environments))(
    'leaves each GitOps identity able to prune what it could apply before: %s',
    (_name, { gitops }) => {
      expect(sinceEachEarlierRender(gitops, pruneRightProblems)).toEqual([]);
    },
  );

  // Likewise for the platform unit's cluster-scoped objects, which Flux's bootstrap file applies
  // now: what its inventory lists from an earlier render, it gets before skipping.
  const renders = Object.values(environments).map((environment) => ({
    environment,
    manifests: loadManifests(path.join(ROOT, environment.gitops.path)),
  }));
  it.each(Object.entries(environments))(
    'leaves the platform identity able to get the cluster-scoped objects its inventory lists: %s',
    (_name, { gitops }) => {
      const render = renders.find((r) => r.environment.gitops === gitops)!;
      const account = `${gitops.namePrefix}-platform`;
      // One line per object, however many earlier renders held it.
      const problems = earlierRenders(gitops).flatMap(({ objects }) =>
        clusterPruneProblems(objects, render.manifests, account),
      );
      expect([...new Set(problems)]).toEqual([]);
    },
  );

  it('catches a platform identity that lost the get of a PriorityClass it applied', () => {
    const current = renders.find((r) => r.environment === environments.production)!.manifests;
    const before = history
      .flatMap((v) => v.objects)
      .find((o) => o.kind === 'PriorityClass' && o.metadata.name === 'aviary-web-0-never')!;
    expect(clusterPruneProblems([before], current, 'aviary-platform')).toEqual([]);
    const lost = current.map((m) =>
      m.object.kind === 'ClusterRole'
        ? {
            ...m,
            object: {
              ...m.object,
              rules: (
                m.object as unknown as { rules: { resourceNames?: string[] }[] }
              ).rules.filter((rule) => !rule.resourceNames?.includes('aviary-web-0-never')),
            },
          }
        : m,
    );
    expect(clusterPruneProblems([before], lost, 'aviary-platform')).toEqual([
      'aviary-platform cannot get PriorityClass aviary-web-0-never, which its inventory lists',
    ]);
  });

  it('catches a Role that lost the delete of a kind it applied', () => {
    const before = today.find((o) => o.kind === 'Role' && o.metadata.name === 'gitops-services')!;
    const after = structuredClone(before) as KubeObject & { rules: Rule[] };
    after.rules = after.rules.filter((rule) => !rule.resources.includes('deployments'));
    expect(pruneRightProblems([before], [after])).toEqual([
      'Role aviary/gitops-services can no longer get and delete apps/deployments, which it could apply',
    ]);
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
