/**
 * Issue 19, point 5f: the platform unit applies as its own identity, not as kustomize-controller's
 * cluster-admin ServiceAccount. Its ClusterRole allows exactly the unit's kinds, and the API
 * server's RBAC escalation prevention (support/rbac-escalation.ts cites kubernetes/kubernetes
 * v1.27, pkg/registry/rbac/escalation_check.go, role/policybased/storage.go and
 * rolebinding/policybased/storage.go) must accept every Role and RoleBinding the unit applies:
 * the identity holds what they grant, or `escalate`/`bind` on them by name.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, production } from '../../charts/environments.js';
import { sharedObjectProblems } from './support/environments.js';
import { gitopsIdentityProblems } from './support/gitops-identity.js';
import type { KubeObject } from './support/k8s-types.js';
import { listFiles, loadManifests, mutate, ofKind, type Manifest } from './support/manifests.js';
import { escalationProblems, type PolicyRule } from './support/rbac-escalation.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const manifests = loadManifests();
const files = listFiles();
const platform = `${production.gitops.namePrefix}-platform`;
type ClusterRole = KubeObject & { rules: PolicyRule[] };
const withRules = (change: (rules: PolicyRule[]) => PolicyRule[]) =>
  mutate<ClusterRole>(manifests, 'ClusterRole', platform, (role) => {
    role.rules = change(role.rules);
  });
const delegating = (rule: PolicyRule) => (rule.verbs ?? []).includes('escalate');

describe('the platform unit as its own identity', () => {
  it('is allowed exactly its kinds, and may write and bind the gitops-* Roles', () => {
    expect(gitopsIdentityProblems(files, manifests)).toEqual([]);
    const kustomization = ofKind<KubeObject>(manifests, 'Kustomization').find(
      (k) => k.metadata.name === platform,
    )!;
    expect(kustomization.spec).toMatchObject({ serviceAccountName: platform });
  });

  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'a platform Kustomization applying as the controller',
      () =>
        mutate<KubeObject>(manifests, 'Kustomization', platform, (k) => {
          delete (k.spec as { serviceAccountName?: string }).serviceAccountName;
        }),
      /applies cluster-scoped objects with the controller's own \(cluster-admin\) rights/,
    ],
    [
      'a ClusterRole without escalate and bind (the API server refuses the gitops-* Roles)',
      () => withRules((rules) => rules.filter((rule) => !delegating(rule))),
      /cannot apply Role aviary\/gitops-services: it lacks rules the Role grants, and escalate on it/,
    ],
    [
      'a ClusterRole that may escalate but not bind',
      () =>
        withRules((rules) =>
          rules.map((rule) => (delegating(rule) ? { ...rule, verbs: ['escalate'] } : rule)),
        ),
      /cannot apply RoleBinding aviary\/gitops-services: it lacks rules of Role gitops-services, and bind on it/,
    ],
    [
      'escalate and bind on every Role',
      () =>
        withRules((rules) =>
          rules.map((rule) => (delegating(rule) ? { ...rule, resourceNames: [] } : rule)),
        ),
      /may escalate or bind \[roles\] named \[any\], beyond the Roles it applies/,
    ],
    [
      'a ClusterRole that may also manage Secrets',
      () =>
        withRules((rules) => [
          ...rules,
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'] },
        ]),
      /aviary-platform lacks \[\] and may also manage \[\/secrets\]/,
    ],
    [
      'a ClusterRole that cannot manage the StorageClass',
      () =>
        withRules((rules) =>
          rules.filter((rule) => !(rule.resources ?? []).includes('storageclasses')),
        ),
      /aviary-platform lacks \[storage\.k8s\.io\/storageclasses\] and may also manage \[\]/,
    ],
    [
      // Argo CD has no impersonation here: its AppProject's whitelist is the unit's bound.
      'an Argo CD platform project that also admits ClusterRoles',
      () =>
        mutate<KubeObject>(manifests, 'AppProject', platform, (p) => {
          const spec = p.spec as { clusterResourceWhitelist: { group: string; kind: string }[] };
          spec.clusterResourceWhitelist.push({
            group: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
          });
        }),
      /project aviary-platform admits cluster kinds \[.*rbac\.authorization\.k8s\.io\/ClusterRole.*\], not \[\/Namespace, scheduling\.k8s\.io\/PriorityClass, storage\.k8s\.io\/StorageClass\]/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    expect(gitopsIdentityProblems(files, broken())).toContainEqual(expect.stringMatching(expected));
  });

  it('accepts an identity that holds what the Roles grant, without escalate or bind', () => {
    const roles = ofKind<ClusterRole>(manifests, 'Role').filter((r) =>
      r.metadata.name.startsWith('gitops-'),
    );
    const applied = manifests
      .map((m) => m.object)
      .filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding');
    const held = [...roles.flatMap((r) => r.rules), { apiGroups: ['*'], verbs: ['get'] }];
    expect(escalationProblems('x', held, applied, manifests)).toEqual([]);
    // One permission short: the Role that grants it, and its binding, are refused.
    const short = held.filter((rule) => !(rule.resources ?? []).includes('cronjobs'));
    expect(escalationProblems('x', short, applied, manifests)).toEqual([
      expect.stringMatching(/^x cannot apply Role aviary\/gitops-services:/),
      expect.stringMatching(/^x cannot apply RoleBinding aviary\/gitops-services:/),
    ]);
  });

  it('per environment: no two environments share its ServiceAccount, ClusterRole or binding', () => {
    const renders = Object.entries(environments).map(([name, environment]) => ({
      name,
      manifests: loadManifests(path.join(ROOT, environment.gitops.path)),
    }));
    for (const render of renders) {
      expect(
        ofKind<KubeObject>(render.manifests, 'ClusterRoleBinding').map((b) => b.metadata.name),
      ).toEqual([`${environments[render.name]!.gitops.namePrefix}-platform`]);
    }
    const [first, second] = renders as [(typeof renders)[0], (typeof renders)[0]];
    const clash = mutate<KubeObject>(
      second.manifests,
      'ClusterRoleBinding',
      `${environments[second.name]!.gitops.namePrefix}-platform`,
      (b) => {
        b.metadata.name = platform;
      },
    );
    expect(sharedObjectProblems(first, { ...second, manifests: clash })).toEqual([
      expect.stringMatching(/^ClusterRoleBinding .*: a GitOps object with one name in both$/),
    ]);
  });
});
