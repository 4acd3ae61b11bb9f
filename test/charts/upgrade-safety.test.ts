/**
 * Issue 19, point 3: today's dist/ applies over every dist/ this branch has carried, and each
 * environment's render over each of its earlier renders (environments/<name>/). An object
 * that keeps its kind, namespace and name keeps each field the API server makes immutable
 * (support/immutable-fields.ts cites where kubernetes/kubernetes enforces each); a change needs
 * a new name, and the upgrade notes say how the old object goes (docs/deploying.md, "Upgrading").
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments } from '../../charts/environments.js';
import { distHistory } from './support/dist-history.js';
import { immutableFieldChanges } from './support/immutable-fields.js';
import type { KubeObject } from './support/k8s-types.js';
import { DIST, loadManifests } from './support/manifests.js';

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
  it.each(Object.entries(environments))(
    'changes no immutable field of an object that keeps its name: %s',
    (_name, { gitops }) => {
      const current =
        gitops.path === 'dist'
          ? today
          : loadManifests(path.join(ROOT, gitops.path)).map((m) => m.object);
      const changes = (gitops.path === 'dist' ? history : distHistory(gitops.path)).flatMap(
        ({ commit, objects }) =>
          immutableFieldChanges(objects, current).map((change) => `from ${commit}: ${change}`),
      );
      expect(changes).toEqual([]);
    },
  );

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
