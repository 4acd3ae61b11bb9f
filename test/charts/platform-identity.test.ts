/**
 * Issue 19, points 5f and 5g: Flux applies the platform unit as its own identity, not as
 * kustomize-controller's cluster-admin ServiceAccount, and that identity manages the
 * environment's NetworkPolicies and gets its bootstrap's objects by name, nothing more: computed
 * from the rendered RBAC as the API server evaluates it (support/rbac-reach.ts cites
 * kubernetes/kubernetes pkg/registry/rbac/escalation_check.go, role/ and rolebinding/policybased/
 * storage.go, validation/rule.go, and the apiserver's handlers/patch.go). Earlier versions bound
 * escalate/bind cluster-wide (issue-19d: a `gitops-*` Role in flux-system, bound to itself,
 * mints kustomize-controller's token), then in the namespace (issue-19f: a Role there may grant
 * `patch` on the Namespace object, and so its Pod Security labels), then wrote the units' Roles
 * and RoleBindings holding the union of their rules (issue-19h: F1, it could bind them to any
 * subject; F2, it could start pods at any PriorityClass and delete their quota). Each case below
 * breaks one rule and is reported.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, production, staging } from '../../charts/environments.js';
import { gitopsIdentityProblems } from './support/gitops-identity.js';
import type { KubeObject } from '../support/k8s-types.js';
import { listFiles, loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';
import { bindingRights, podRights } from './support/platform-identity.js';
import { grantsOf, scopeOf, sharedScope, type PolicyRule } from './support/rbac-reach.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const manifests = loadManifests();
const files = listFiles();
const platform = `${production.gitops.namePrefix}-platform`;
type WithRules = KubeObject & { rules: PolicyRule[] };
type Binding = KubeObject & { subjects: { kind: string; name: string; namespace?: string }[] };
const withRules = (kind: string, name: string, change: (rules: PolicyRule[]) => PolicyRule[]) =>
  mutate<WithRules>(manifests, kind, name, (role) => {
    role.rules = change(role.rules);
  });
const role = (change: (rules: PolicyRule[]) => PolicyRule[]) =>
  withRules('Role', 'gitops-platform', change);
const clusterRole = (change: (rules: PolicyRule[]) => PolicyRule[]) =>
  withRules('ClusterRole', platform, change);
/** The manifests with the object of `kind` named `name` moved into the platform unit's file. */
const intoPlatformUnit = (kind: string, name: string) => {
  const unitFile = manifests.find((m) => m.object.kind === 'NetworkPolicy')!.file;
  return structuredClone(manifests).map((m) =>
    m.object.kind === kind && m.object.metadata.name === name ? { ...m, file: unitFile } : m,
  );
};

/**
 * `from` with the platform Kustomization's patch that deletes the objects of `kind` from its
 * build dropped: the unit applies them again.
 */
const unpatched = (kind: string, from: readonly Manifest[] = manifests) =>
  mutate<KubeObject>(from, 'Kustomization', platform, (kustomization) => {
    const spec = kustomization.spec as { patches: { target: { kind: string } }[] };
    spec.patches = spec.patches.filter((p) => p.target.kind !== kind);
  });

describe('the platform unit as its own Flux identity', () => {
  it('manages its NetworkPolicies and gets its bootstrap objects by name', () => {
    expect(gitopsIdentityProblems(files, manifests)).toEqual([]);
    const kustomization = ofKind<KubeObject>(manifests, 'Kustomization').find(
      (k) => k.metadata.name === platform,
    )!;
    expect(kustomization.spec).toMatchObject({ serviceAccountName: platform });
  });

  const bindingSubjects = (change: (subjects: Binding['subjects']) => Binding['subjects']) =>
    mutate<Binding>(manifests, 'RoleBinding', 'gitops-platform', (b) => {
      b.subjects = change(b.subjects);
    });
  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'a platform Kustomization applying as the controller',
      () =>
        mutate<KubeObject>(manifests, 'Kustomization', platform, (k) => {
          delete (k.spec as { serviceAccountName?: string }).serviceAccountName;
        }),
      /with the controller's own \(cluster-(admin|wide)\) rights/,
    ],
    [
      // issue-19d: escalate and bind by name, but bound cluster-wide.
      'escalate and bind on the gitops-* Roles in its ClusterRole',
      () => clusterRole((rules) => [...rules, delegationRule()]),
      /holds \[escalate, bind\] on \[rbac\.authorization\.k8s\.io\/roles\] in every namespace/,
    ],
    [
      // issue-19f: escalate and bind by name in the namespace; a Role may then grant the
      // Namespace object.
      'escalate and bind on the gitops-* Roles in its Role',
      () => role((rules) => [...rules, delegationRule()]),
      /holds \[escalate, bind\] on \[rbac\.authorization\.k8s\.io\/roles\] in aviary/,
    ],
    [
      'impersonate in its Role',
      () =>
        role((rules) => [
          ...rules,
          { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
        ]),
      /holds \[impersonate\] on \[\/serviceaccounts\] in aviary/,
    ],
    [
      'patch on its Namespace object, which sets Pod Security',
      () =>
        role((rules) => [
          ...rules,
          {
            apiGroups: [''],
            resources: ['namespaces'],
            resourceNames: ['aviary'],
            verbs: ['patch'],
          },
        ]),
      /rights on \[\/namespaces\] in aviary/,
    ],
    [
      'bind on ClusterRoles in its namespace (cluster-admin could be bound there)',
      () =>
        role((rules) => [
          ...rules,
          {
            apiGroups: ['rbac.authorization.k8s.io'],
            resources: ['clusterroles'],
            verbs: ['bind'],
          },
        ]),
      /rights on \[rbac\.authorization\.k8s\.io\/clusterroles\] in aviary/,
    ],
    [
      // F1 of the review of issue-19f: a RoleBinding it writes may name any subject.
      'a Role that may still write RoleBindings',
      () =>
        role((rules) => [
          ...rules,
          {
            apiGroups: ['rbac.authorization.k8s.io'],
            resources: ['rolebindings'],
            verbs: ['get', 'create', 'patch'],
          },
        ]),
      /may \[create\] rbac\.authorization\.k8s\.io\/rolebindings, \[patch\] rbac\.authorization\.k8s\.io\/rolebindings: it could bind any subject/,
    ],
    [
      // F2 of the same review: its pods may name any PriorityClass.
      'a Role that may create Deployments',
      () =>
        role((rules) => [
          ...rules,
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
        ]),
      /may \[create\] apps\/deployments: it could start pods or lift their bounds/,
    ],
    [
      'a Role that may delete the ResourceQuota it handed over',
      () =>
        role((rules) =>
          rules.map((r) =>
            r.resources?.includes('resourcequotas') ? { ...r, verbs: ['get', 'delete'] } : r,
          ),
        ),
      /may \[delete\] \/resourcequotas: it could start pods or lift their bounds/,
    ],
    [
      'a Role that cannot get a Role its inventory lists',
      () => role((rules) => rules.filter((r) => !(r.resources ?? []).includes('roles'))),
      /cannot get Role gitops-services, its inventory's/,
    ],
    [
      'a handed-over LimitRange without prune disabled (the unit would delete it)',
      () =>
        structuredClone(manifests).map((m) =>
          m.object.kind === 'LimitRange'
            ? { ...m, object: { ...m.object, metadata: { ...m.object.metadata, annotations: {} } } }
            : m,
        ),
      /Flux's bootstrap file applies LimitRange aviary without prune disabled/,
    ],
    [
      'a platform unit whose Kustomization no longer deletes a Role from its build',
      () => unpatched('Role'),
      /applies Role gitops-services, which Flux's bootstrap file must apply instead/,
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
      // Break A of the review of issue-19f: every ServiceAccount of flux-system would hold it.
      'its RoleBinding naming the Group of flux-system ServiceAccounts',
      () => bindingSubjects(() => [{ kind: 'Group', name: 'system:serviceaccounts:flux-system' }]),
      /granted by RoleBinding aviary\/gitops-platform, whose subjects are \[Group system:serviceaccounts:flux-system\], not its ServiceAccount alone/,
    ],
    [
      'its RoleBinding naming another subject as well',
      () =>
        bindingSubjects((subjects) => [
          ...subjects,
          { kind: 'ServiceAccount', name: 'helm-controller', namespace: 'flux-system' },
        ]),
      /whose subjects are \[ServiceAccount flux-system\/aviary-platform, ServiceAccount flux-system\/helm-controller\]/,
    ],
    [
      'a ClusterRole rule that names no object',
      () =>
        clusterRole((rules) =>
          rules.map((r) =>
            r.resources?.includes('priorityclasses') ? { ...r, resourceNames: [] } : r,
          ),
        ),
      /\[get\] on \[scheduling\.k8s\.io\/priorityclasses\] named \[any\] in every namespace/,
    ],
    [
      'a ClusterRole that gets another environment namespace',
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
      // M2 of the review of issue-19f: globalDefault, is-default-class, a re-created class.
      'a ClusterRole that may write the StorageClass',
      () =>
        clusterRole((rules) =>
          rules.map((r) =>
            r.resources?.includes('storageclasses') ? { ...r, verbs: ['get', 'patch'] } : r,
          ),
        ),
      /may \[get, patch\] \[storage\.k8s\.io\/storageclasses\] named \[aviary-longhorn\] by ClusterRoleBinding aviary-platform, beyond get/,
    ],
    [
      'a ClusterRole that cannot get the PriorityClass its inventory held',
      () =>
        clusterRole((rules) =>
          rules.filter((r) => !(r.resources ?? []).includes('priorityclasses')),
        ),
      /cannot get PriorityClass aviary-web-0-never/,
    ],
    [
      'a Role that may also manage Secrets',
      () =>
        role((rules) => [
          ...rules,
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'] },
        ]),
      /aviary-platform in aviary holds \[get\] \/secrets, \[patch\] \/secrets, beyond its kinds/,
    ],
    [
      'a platform unit that applies a cluster-scoped object itself',
      () => intoPlatformUnit('PriorityClass', 'aviary-web-0-never'),
      /applies PriorityClass aviary-web-0-never, which Flux's bootstrap file must apply instead/,
    ],
    [
      'a ServiceAccount of its namespace bound cluster-wide (its pods may run as that account)',
      () =>
        mutate<Binding>(manifests, 'ClusterRoleBinding', platform, (b) => {
          b.subjects.push({ kind: 'ServiceAccount', name: 'bird', namespace: 'aviary' });
        }),
      /can act as ServiceAccount aviary\/bird, bound beyond aviary by ClusterRoleBinding aviary-platform/,
    ],
    [
      'a platform unit whose Kustomization no longer deletes the ResourceQuota from its build',
      () => unpatched('ResourceQuota'),
      /aviary-platform in aviary lacks \[get\] \/resourcequotas, \[list\]/,
    ],
    [
      // Its Kustomization deletes every RoleBinding of the namespace from its build; without that
      // patch, a binding moved into the unit's file would grant the identity its own rights.
      'a platform unit that applies a binding granting its own identity',
      () => unpatched('RoleBinding', intoPlatformUnit('RoleBinding', 'gitops-platform')),
      /the unit applies RoleBinding gitops-platform, which grants it/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    expect(gitopsIdentityProblems(files, broken())).toContainEqual(expect.stringMatching(expected));
  });
});

/**
 * F1 and F2 of the review of issue-19f, closed: the platform identity writes no RBAC object, so
 * it can bind no subject to anything (the API server's escalation check compares a binding's
 * rules with its writer's, never its subjects: kubernetes/kubernetes
 * pkg/registry/rbac/rolebinding/policybased/storage.go at 008b3652, `Create` and `Update`, and
 * pkg/registry/rbac/escalation_check.go, `BindingAuthorized`); and it neither creates a pod-making
 * kind (a pod may name any PriorityClass the cluster holds: plugin/pkg/admission/priority/
 * admission.go resolves the name, nothing more) nor writes the ResourceQuota and LimitRange that
 * bound the pods. Every environment's render, and every grant of the identity in it.
 */
describe('the platform identity can bind no subject (F1) and start no pod (F2)', () => {
  const grantsIn = (environment: (typeof environments)[keyof typeof environments]) =>
    grantsOf(
      { name: `${environment.gitops.namePrefix}-platform`, namespace: 'flux-system' },
      loadManifests(path.join(ROOT, environment.gitops.path)).map((m) => m.object),
    );

  it.each(Object.entries(environments))(
    '%s: no write of RBAC objects, escalate, bind or impersonate',
    (_name, environment) => {
      const grants = grantsIn(environment);
      expect(grants.length).toBeGreaterThan(0);
      expect(bindingRights(grants)).toEqual([]);
    },
  );

  it.each(Object.entries(environments))(
    '%s: no write of the quota or LimitRange, no write of pods or of what makes them',
    (_name, environment) => {
      expect(podRights(grantsIn(environment))).toEqual([]);
    },
  );

  it('reports what the identity held before issue-19h', () => {
    const held: PolicyRule[] = [
      { apiGroups: [''], resources: ['limitranges', 'resourcequotas'], verbs: ['get', 'delete'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['patch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
      { apiGroups: ['argoproj.io'], resources: ['*'], verbs: ['*'] },
    ];
    const grants = held.map((rule) => ({ namespace: 'aviary', rule, via: 'RoleBinding x' }));
    expect(bindingRights(grants)).toEqual(['[patch] rbac.authorization.k8s.io/rolebindings']);
    expect(podRights(grants)).toEqual([
      '[delete] /resourcequotas',
      '[delete] /limitranges',
      '[create] apps/deployments',
      ...['rollouts', 'experiments', 'analysisruns', 'analysistemplates'].flatMap((resource) =>
        ['create', 'update', 'patch'].map((verb) => `[${verb}] argoproj.io/${resource}`),
      ),
    ]);
  });

  // Review of issue-19h, minor 3: patching a Deployment sets its pods' spec as creating one does.
  it.each([
    [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch', 'update'] },
      ['[update] apps/deployments', '[patch] apps/deployments'],
    ],
    [
      { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] },
      ['[patch] /pods/ephemeralcontainers'],
    ],
    [
      { apiGroups: [''], resources: ['*/ephemeralcontainers'], verbs: ['update'] },
      ['[update] /pods/ephemeralcontainers'],
    ],
    [
      { apiGroups: ['argoproj.io'], resources: ['analysistemplates'], verbs: ['create'] },
      ['[create] argoproj.io/analysistemplates'],
    ],
  ] as [PolicyRule, string[]][])('reports a rule %j', (rule, expected) => {
    expect(podRights([{ namespace: 'aviary', rule, via: 'RoleBinding x' }])).toEqual(expected);
  });
});

describe('two environments on one cluster', () => {
  const renders = Object.entries(environments).map(([name, environment]) => ({
    name,
    environment,
    manifests: loadManifests(path.join(ROOT, environment.gitops.path)),
  }));
  // Every render's RBAC at once: a binding one environment applies may grant another's identity.
  const everything = (changed?: { name: string; manifests: readonly Manifest[] }) =>
    renders.flatMap((r) => (r.name === changed?.name ? changed.manifests : r.manifests));
  const scope = (render: (typeof renders)[number], objects = everything()) =>
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
    const all = everything({ name: 'staging', manifests: broken });
    expect(sharedScope(scope(productionRender, all), scope(stagingRender, all))).toEqual([
      'namespace aviary',
      '/namespaces/aviary',
      'scheduling.k8s.io/priorityclasses/aviary-web-0-never',
    ]);
  });

  it("reports production's platform Role bound to every ServiceAccount of flux-system", () => {
    const productionRender = renders.find((r) => r.name === 'production')!;
    const broken = mutate<Binding>(
      productionRender.manifests,
      'RoleBinding',
      'gitops-platform',
      (b) => {
        b.subjects = [{ kind: 'Group', name: 'system:serviceaccounts:flux-system' }];
      },
    );
    const all = everything({ name: 'production', manifests: broken });
    const stagingRender = renders.find((r) => r.name === 'staging')!;
    expect(sharedScope(scope(productionRender, all), scope(stagingRender, all))).toContain(
      'namespace aviary',
    );
  });
});

/** The rule issue-19f's Role gitops-platform held: escalate and bind on the gitops-* Roles. */
function delegationRule(): PolicyRule {
  const names = ofKind<KubeObject>(manifests, 'Role')
    .map((r) => r.metadata.name)
    .filter((name) => name.startsWith('gitops-') && name !== 'gitops-platform');
  return {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['roles'],
    resourceNames: names,
    verbs: ['escalate', 'bind'],
  };
}
