/**
 * Issue 19, point 5f: Flux applies the platform unit as its own identity, not as
 * kustomize-controller's cluster-admin ServiceAccount, and that identity reaches the
 * environment's namespace and its own cluster-scoped objects by name, nothing more: computed from
 * the rendered RBAC as the API server evaluates it (support/rbac-reach.ts cites
 * kubernetes/kubernetes pkg/registry/rbac/escalation_check.go, role/ and rolebinding/policybased/
 * storage.go, validation/rule.go, and the apiserver's handlers/patch.go). An earlier version
 * (issue-19d, reverted) bound escalate/bind cluster-wide: a `gitops-*` Role in flux-system, bound
 * to itself, mints kustomize-controller's token. Each case below breaks one rule and is reported.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, production, staging } from '../../charts/environments.js';
import { gitopsIdentityProblems } from './support/gitops-identity.js';
import type { KubeObject } from '../support/k8s-types.js';
import { listFiles, loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';
import { grantsOf, scopeOf, sharedScope, type PolicyRule } from './support/rbac-reach.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const manifests = loadManifests();
const files = listFiles();
const platform = `${production.gitops.namePrefix}-platform`;
type WithRules = KubeObject & { rules: PolicyRule[] };
type Binding = KubeObject & { subjects: { kind: string; name: string; namespace?: string }[] };
const delegating = (rule: PolicyRule) => (rule.verbs ?? []).includes('escalate');
const withRules = (kind: string, name: string, change: (rules: PolicyRule[]) => PolicyRule[]) =>
  mutate<WithRules>(manifests, kind, name, (role) => {
    role.rules = change(role.rules);
  });
const role = (change: (rules: PolicyRule[]) => PolicyRule[]) =>
  withRules('Role', 'gitops-platform', change);
const clusterRole = (change: (rules: PolicyRule[]) => PolicyRule[]) =>
  withRules('ClusterRole', platform, change);

describe('the platform unit as its own Flux identity', () => {
  it('reaches its namespace and its cluster-scoped objects by name, and can apply its Roles', () => {
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
      // The reverted design: escalate and bind by name, but bound cluster-wide.
      'escalate and bind on the gitops-* Roles in its ClusterRole',
      () => clusterRole((rules) => [...rules, delegationRule()]),
      /holds ClusterRoleBinding aviary-platform: \[escalate, bind\] on \[rbac\.authorization\.k8s\.io\/roles\] named \[gitops-services, .*\] in every namespace/,
    ],
    [
      'bind on ClusterRoles in its namespace (cluster-admin could be bound there)',
      () =>
        role((rules) =>
          rules.map((r) => (delegating(r) ? { ...r, resources: ['roles', 'clusterroles'] } : r)),
        ),
      /may escalate or bind \[roles, clusterroles\] named \[gitops-services, .*\] in aviary .*beyond the Roles it applies/,
    ],
    [
      'escalate and bind on every Role of its namespace',
      () => role((rules) => rules.map((r) => (delegating(r) ? { ...r, resourceNames: [] } : r))),
      /may escalate or bind \[roles\] named \[any\] in aviary/,
    ],
    [
      'a Role without escalate and bind (the API server refuses the gitops-* Roles)',
      () => role((rules) => rules.filter((r) => !delegating(r))),
      /cannot apply Role aviary\/gitops-services: it lacks rules the Role grants, and escalate on it/,
    ],
    [
      'escalate without bind',
      () => role((rules) => rules.map((r) => (delegating(r) ? { ...r, verbs: ['escalate'] } : r))),
      /cannot apply RoleBinding aviary\/gitops-services: it lacks rules of Role gitops-services, and bind on it/,
    ],
    [
      'its RoleBinding in flux-system as well',
      () => {
        const copy = structuredClone(manifests);
        const binding = copy.find(
          (m) => m.object.kind === 'RoleBinding' && m.object.metadata.name === 'gitops-platform',
        )!;
        copy.push({
          ...binding,
          object: { ...binding.object, metadata: { name: 'x', namespace: 'flux-system' } },
        });
        return copy;
      },
      /aviary-platform reaches namespace flux-system/,
    ],
    [
      'a ClusterRole rule that names no object',
      () =>
        clusterRole((rules) =>
          rules.map((r) =>
            r.resources?.includes('priorityclasses') ? { ...r, resourceNames: [] } : r,
          ),
        ),
      /\[get, create, update, patch, delete\] on \[scheduling\.k8s\.io\/priorityclasses\] named \[any\] in every namespace/,
    ],
    [
      'a ClusterRole that writes another environment namespace',
      () =>
        clusterRole((rules) =>
          rules.map((r) =>
            r.resources?.includes('namespaces')
              ? { ...r, resourceNames: ['aviary', 'aviary-staging'] }
              : r,
          ),
        ),
      /aviary-platform reaches namespace aviary-staging/,
    ],
    [
      'a Role that may also manage Secrets',
      () =>
        role((rules) => [
          ...rules,
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'] },
        ]),
      /aviary-platform in aviary lacks \[\] and may also manage \[\/secrets\]/,
    ],
    [
      'a ClusterRole that cannot write the StorageClass',
      () =>
        clusterRole((rules) =>
          rules.filter((r) => !(r.resources ?? []).includes('storageclasses')),
        ),
      /cannot \[get, create, patch, delete\] StorageClass aviary-longhorn/,
    ],
    [
      'a ServiceAccount of its namespace bound cluster-wide (it can mint that account a token)',
      () =>
        mutate<Binding>(manifests, 'ClusterRoleBinding', platform, (b) => {
          b.subjects.push({ kind: 'ServiceAccount', name: 'bird', namespace: 'aviary' });
        }),
      /can act as ServiceAccount aviary\/bird, bound beyond aviary by ClusterRoleBinding aviary-platform/,
    ],
    [
      'a platform unit that applies a binding granting its own identity',
      () =>
        structuredClone(manifests).map((m) =>
          m.object.kind === 'RoleBinding' && m.object.metadata.name === 'gitops-platform'
            ? { ...m, file: manifests.find((q) => q.object.kind === 'ResourceQuota')!.file }
            : m,
        ),
      /the unit applies RoleBinding gitops-platform, which grants it/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    expect(gitopsIdentityProblems(files, broken())).toContainEqual(expect.stringMatching(expected));
  });
});

describe('two environments on one cluster', () => {
  const renders = Object.entries(environments).map(([name, environment]) => ({
    name,
    environment,
    manifests: loadManifests(path.join(ROOT, environment.gitops.path)),
  }));
  const scope = (render: (typeof renders)[number], objects = render.manifests) =>
    scopeOf(
      grantsOf(
        { name: `${render.environment.gitops.namePrefix}-platform`, namespace: 'flux-system' },
        objects.map((m) => m.object),
      ),
      new Set([
        '/namespaces',
        'scheduling.k8s.io/priorityclasses',
        'storage.k8s.io/storageclasses',
      ]),
    );
  const pairs = renders.flatMap((a, i) =>
    renders.slice(i + 1).map((b) => [a.name, b.name, a, b] as const),
  );

  it.each(pairs)(
    '%s and %s: no namespace or object within reach of both platform identities',
    (_a, _b, a, b) => {
      expect(scope(a).namespaces.size).toBeGreaterThan(0);
      expect(sharedScope(scope(a), scope(b))).toEqual([]);
    },
  );

  it("reports staging's identity reaching production's namespace and PriorityClass", () => {
    const stagingRender = renders.find((r) => r.name === 'staging')!;
    const broken = mutate<WithRules>(
      stagingRender.manifests,
      'ClusterRole',
      `${staging.gitops.namePrefix}-platform`,
      (r) => {
        r.rules.push(
          {
            apiGroups: [''],
            resources: ['namespaces'],
            resourceNames: [production.namespace],
            verbs: ['patch'],
          },
          {
            apiGroups: ['scheduling.k8s.io'],
            resources: ['priorityclasses'],
            resourceNames: ['aviary-web-0-never'],
            verbs: ['get', 'delete'],
          },
        );
      },
    );
    const productionRender = renders.find((r) => r.name === 'production')!;
    expect(sharedScope(scope(productionRender), scope(stagingRender, broken))).toEqual([
      'namespace aviary',
      'scheduling.k8s.io/priorityclasses/aviary-web-0-never',
      '/namespaces/aviary',
    ]);
  });
});

/** The rule of dist/'s Role gitops-platform that allows escalate and bind. */
function delegationRule(): PolicyRule {
  const platformRole = ofKind<WithRules>(manifests, 'Role').find(
    (r) => r.metadata.name === 'gitops-platform',
  )!;
  return platformRole.rules.find(delegating)!;
}
