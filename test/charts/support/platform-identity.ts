import { CLUSTER_SCOPED } from './hygiene.js';
import { PRUNE_DISABLED } from './inventory-prune.js';
import { kstatusReads } from './kstatus.js';
import type { KubeObject } from '../../support/k8s-types.js';
import type { Manifest } from '../../support/manifests.js';
import {
  allowsOn,
  bindingSubjectProblems,
  grantsOf,
  rulesIn,
  scopeOf,
  uncovered,
  type Account,
  type Grant,
  type PolicyRule,
} from './rbac-reach.js';

// What kustomize-controller does to the kinds it applies: get, list and watch (its health checks
// and dry runs), server-side apply (patch, create when new, update), prune (delete).
const MANAGE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
// Verbs that lift the API server's escalation checks, or act as someone else.
const FORBIDDEN_VERBS = ['escalate', 'bind', 'impersonate', '*'];
// Resources whose namespaced rights reach past the namespace: its Namespace object (Pod
// Security labels, labels other tenants select) and ClusterRoles bound by a RoleBinding.
const FORBIDDEN_RESOURCES = ['/namespaces', 'rbac.authorization.k8s.io/clusterroles', '*/*'];
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};
const resourceOf = (o: KubeObject) => `${groupOf(o.apiVersion)}/${plural(o.kind)}`;
const pairsOf = (rule: PolicyRule) =>
  (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).map((r) => `${g}/${r}`));
const isRbac = (o: KubeObject) => o.apiVersion.startsWith('rbac.authorization.k8s.io/');

// F1 of the review of issue-19f. A RoleBinding's writer passes the API server's escalation check
// if it holds the rules of the role it binds (kubernetes/kubernetes
// pkg/registry/rbac/rolebinding/policybased/storage.go, `Create` and `Update`, calling
// pkg/registry/rbac/escalation_check.go `BindingAuthorized` and
// pkg/registry/rbac/validation/rule.go `ConfirmNoEscalation`): the rules are compared, the
// subjects never, so any identity that may write a binding may bind what it holds to any user,
// group or ServiceAccount. Writing a Role or ClusterRole is a step to the same; deleting one is
// not binding, but Flux's platform unit writes none of them, so it needs no verb on them but
// `get` by name (its inventory's, support/inventory-prune.ts).
const RBAC_RESOURCES = ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].map(
  (resource) => `rbac.authorization.k8s.io/${resource}`,
);
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

// F2 of the same review. A pod may name any PriorityClass (admission checks only that it exists,
// unless the cluster's ResourceQuota admission limits it: plugin/pkg/admission/priority), and the
// namespace's ResourceQuota and LimitRange are what bound its pods. So the platform identity
// must neither write those two kinds nor create, update or patch anything that makes pods or
// sets their spec: the core kinds (a pod's ephemeral containers included), the workload
// controllers' (apps, batch) and Argo Rollouts' (a Rollout, an Experiment, an AnalysisRun or
// AnalysisTemplate, whose job provider creates Jobs of any pod spec).
const BOUND_RESOURCES = ['/resourcequotas', '/limitranges'];
const POD_MAKING_RESOURCES = [
  '/pods',
  '/pods/ephemeralcontainers',
  '/replicationcontrollers',
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  'argoproj.io/rollouts',
  'argoproj.io/experiments',
  'argoproj.io/analysisruns',
  'argoproj.io/analysistemplates',
];
// Writes a pod spec: create a new one, update or patch an existing one.
const POD_SPEC_VERBS = ['create', 'update', 'patch'];

/**
 * `[verb] group/resource` of each of `verbs` on `resources` (`group/resource` or
 * `group/resource/subresource`) that some rule of `grants` allows. A rule's resource matches as
 * RBAC matches it: exactly, `*`, or a star then `/<subresource>` for a subresource.
 */
function allowedOf(grants: readonly Grant[], resources: readonly string[], verbs: string[]) {
  return resources.flatMap((pair) => {
    const slash = pair.indexOf('/');
    const [group, resource] = [pair.slice(0, slash), pair.slice(slash + 1)];
    const subresource = resource.split('/')[1];
    const matches = (r: string) =>
      r === resource || r === '*' || (subresource !== undefined && r === `*/${subresource}`);
    return verbs
      .filter((verb) =>
        grants.some(
          ({ rule }) =>
            (rule.apiGroups ?? []).some((g) => g === group || g === '*') &&
            (rule.resources ?? []).some(matches) &&
            (rule.verbs ?? []).some((v) => v === verb || v === '*'),
        ),
      )
      .map((verb) => `[${verb}] ${pair}`);
  });
}

/**
 * F1: what `grants` allow of writing RBAC objects, in any namespace or by any name, or of
 * escalate, bind and impersonate; none, so the identity can bind no subject to anything.
 */
export function bindingRights(grants: readonly Grant[]): string[] {
  return [
    ...allowedOf(grants, RBAC_RESOURCES, [...WRITE_VERBS, 'escalate', 'bind']),
    ...grants.flatMap(({ rule }) =>
      (rule.verbs ?? []).includes('impersonate')
        ? [`[impersonate] ${pairsOf(rule).join(', ')}`]
        : [],
    ),
  ];
}

/**
 * F2: what `grants` allow of writing the ResourceQuota and LimitRange kinds, or of creating,
 * updating or patching a pod-making kind; none, so the identity can neither start a pod, nor set
 * the spec of one, nor lift the bounds on them.
 */
export function podRights(grants: readonly Grant[]): string[] {
  return [
    ...allowedOf(grants, BOUND_RESOURCES, ['create', ...WRITE_VERBS.slice(1)]),
    ...allowedOf(grants, POD_MAKING_RESOURCES, POD_SPEC_VERBS),
  ];
}

/**
 * The Flux Kustomization of the platform unit (`objects`: what it syncs) must not run with
 * kustomize-controller's own cluster-admin rights, nor reach past the application's namespace:
 * - it applies no cluster-scoped object and no RBAC object: Flux's bootstrap file (the
 *   Kustomization's own file) applies them, with the Namespace, PriorityClass, StorageClass,
 *   ResourceQuota and LimitRange; each of those the top-level files hold too (the unit's
 *   inventory may list it from an earlier render) carries `prune: disabled`, and the identity
 *   gets it by name and does nothing else to it (Flux gets what leaves the inventory before
 *   skipping it as prune-disabled);
 * - in the namespace, by RoleBindings only, it manages the unit's kinds and reads what kstatus
 *   reads for them, and nothing else: no write of RBAC objects, no `escalate`, `bind` or
 *   `impersonate` ({@link bindingRights}), nothing on `namespaces` or `clusterroles`, no write of
 *   the quota and LimitRange and no creation of pods ({@link podRights});
 * - every binding granting it names its ServiceAccount alone.
 */
export function platformIdentityProblems(
  kustomization: KubeObject,
  objects: readonly KubeObject[],
  manifests: readonly Manifest[],
): string[] {
  const at = `Kustomization ${kustomization.metadata.name}`;
  const name = (kustomization.spec as { serviceAccountName?: string }).serviceAccountName;
  if (!name) {
    return [`${at}: applies its objects with the controller's own (cluster-admin) rights`];
  }
  const account: Account = { name, namespace: kustomization.metadata.namespace! };
  const identity = `${at}: ${name}`;
  const rbac = manifests.map((m) => m.object);
  const grants = grantsOf(account, rbac);
  const problems: string[] = bindingSubjectProblems(identity, account, rbac);
  for (const object of objects.filter((o) => CLUSTER_SCOPED.has(o.kind))) {
    problems.push(
      `${identity} applies ${object.kind} ${object.metadata.name}, which Flux's bootstrap file must apply instead`,
    );
  }
  const namespaces = [...new Set(objects.flatMap((o) => o.metadata.namespace ?? []))];
  if (namespaces.length !== 1) {
    return [
      ...problems,
      `${at}: applies namespaced objects in [${namespaces.join(', ')}], not in one namespace`,
    ];
  }
  const namespace = namespaces[0]!;
  if (namespace === account.namespace || namespace.startsWith('kube-')) {
    problems.push(`${identity} rules ${namespace}, where controllers' ServiceAccounts live`);
  }

  // What the bootstrap file applies instead of the unit: its objects the top-level files hold.
  const bootstrapFile = manifests.find((m) => m.object === kustomization)?.file;
  const keyOf = (o: KubeObject) =>
    `${resourceOf(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const topLevel = new Set(
    manifests.filter((m) => !m.file.includes('/')).map((m) => keyOf(m.object)),
  );
  const handedOver = manifests
    .filter((m) => m.file === bootstrapFile && topLevel.has(keyOf(m.object)))
    .map((m) => m.object);
  const bootstrap = handedOver.filter((o) => CLUSTER_SCOPED.has(o.kind));
  const bootstrapNames = new Set(bootstrap.map((o) => `${resourceOf(o)}/${o.metadata.name}`));
  const scope = scopeOf(grants, new Set(bootstrap.map(resourceOf)));
  problems.push(...scope.unbounded.map((grant) => `${identity} holds ${grant}`));
  for (const other of [...scope.namespaces].filter((n) => n !== namespace)) {
    problems.push(`${identity} reaches namespace ${other}`);
  }
  for (const { rule, via } of grants.filter((g) => g.namespace === undefined)) {
    const objectsBeyond = pairsOf(rule)
      .flatMap((pair) => (rule.resourceNames ?? []).map((n) => `${pair}/${n}`))
      .filter((o) => !bootstrapNames.has(o));
    const verbsBeyond = (rule.verbs ?? []).filter((verb) => verb !== 'get');
    if (objectsBeyond.length > 0 || verbsBeyond.length > 0) {
      problems.push(
        `${identity} may [${(rule.verbs ?? []).join(', ')}] [${pairsOf(rule).join(', ')}] named [${(rule.resourceNames ?? []).join(', ')}] by ${via}, beyond get on its bootstrap's objects`,
      );
    }
  }
  for (const object of handedOver) {
    const [group, resource] = resourceOf(object).split('/') as [string, string];
    const { name: objectName, namespace: where } = object.metadata;
    if (!allowsOn(rulesIn(grants, where), group, resource, 'get', objectName)) {
      problems.push(`${identity} cannot get ${object.kind} ${objectName}, its inventory's`);
    }
    if (object.metadata.annotations?.[PRUNE_DISABLED[0]] !== PRUNE_DISABLED[1]) {
      problems.push(
        `${identity}: Flux's bootstrap file applies ${object.kind} ${objectName} without prune disabled`,
      );
    }
  }
  for (const object of objects.filter((o) => isRbac(o) && !CLUSTER_SCOPED.has(o.kind))) {
    problems.push(
      `${identity} applies ${object.kind} ${object.metadata.name}, which Flux's bootstrap file must apply instead`,
    );
  }

  // A binding the unit applies could widen the identity at the next commit.
  for (const via of new Set(grantsOf(account, objects).map((g) => g.via))) {
    problems.push(`${identity}: the unit applies ${via}, which grants it`);
  }
  problems.push(...takeoverProblems(namespace, rbac, identity));

  // In the namespace: its kinds, their health checks' reads, get on what it handed over.
  const held = grants.filter((g) => g.namespace === namespace).map((g) => g.rule);
  for (const { rule, namespace: where, via } of grants) {
    const verbs = (rule.verbs ?? []).filter((verb) => FORBIDDEN_VERBS.includes(verb));
    const resources = pairsOf(rule).filter(
      (pair) => FORBIDDEN_RESOURCES.includes(pair) && where !== undefined,
    );
    if (verbs.length > 0 || resources.length > 0) {
      problems.push(
        `${identity} holds [${verbs.join(', ')}] on [${pairsOf(rule).join(', ')}]${resources.length ? `, rights on [${resources.join(', ')}]` : ''} in ${where ?? 'every namespace'} (${via})`,
      );
    }
  }
  const bindings = bindingRights(grants);
  if (bindings.length > 0) {
    problems.push(`${identity} may ${bindings.join(', ')}: it could bind any subject`);
  }
  const pods = podRights(grants);
  if (pods.length > 0) {
    problems.push(`${identity} may ${pods.join(', ')}: it could start pods or lift their bounds`);
  }
  const namespaced = objects.filter((o) => o.metadata.namespace === namespace);
  const kinds = [...new Set(namespaced.map(resourceOf))];
  const gks = [...new Set(namespaced.map((o) => `${groupOf(o.apiVersion)}/${o.kind}`))];
  const ruleOn = (pair: string, verbs: string[], names?: string[]): PolicyRule => {
    const [group, resource] = pair.split('/') as [string, string];
    return { apiGroups: [group], resources: [resource], verbs, resourceNames: names };
  };
  const allowed: PolicyRule[] = [
    ...kinds.map((pair) => ruleOn(pair, MANAGE_VERBS)),
    ...kstatusReads(gks).map((gk) => {
      const [group, kind] = gk.split('/') as [string, string];
      return ruleOn(`${group}/${plural(kind)}`, ['get', 'list', 'watch']);
    }),
    ...handedOver
      .filter((o) => o.metadata.namespace === namespace)
      .map((o) => ruleOn(resourceOf(o), ['get'], [o.metadata.name])),
  ];
  const lacking = uncovered(
    held,
    kinds.map((pair) => ruleOn(pair, MANAGE_VERBS)),
  );
  if (lacking.length > 0) {
    problems.push(`${identity} in ${namespace} lacks ${lacking.join(', ')}`);
  }
  const extra = uncovered(allowed, held);
  if (extra.length > 0) {
    problems.push(
      `${identity} in ${namespace} holds ${extra.join(', ')}, beyond its kinds, their health checks and get on what it handed over`,
    );
  }
  return problems;
}

/**
 * The identity can act as any ServiceAccount of its namespace (it writes Deployments, whose pods
 * may run as any of them), so none may hold a right outside it.
 */
function takeoverProblems(namespace: string, rbac: readonly KubeObject[], identity: string) {
  type Binding = KubeObject & { subjects?: { kind: string; name: string; namespace?: string }[] };
  return (rbac.filter((o) => o.kind.endsWith('Binding')) as Binding[])
    .filter((b) => b.kind === 'ClusterRoleBinding' || b.metadata.namespace !== namespace)
    .flatMap((binding) =>
      (binding.subjects ?? [])
        .filter(
          (s) =>
            (s.kind === 'ServiceAccount' && s.namespace === namespace) ||
            (s.kind === 'Group' && s.name === `system:serviceaccounts:${namespace}`),
        )
        .map(
          (s) =>
            `${identity} can act as ${s.kind} ${s.namespace ?? ''}/${s.name}, bound beyond ${namespace} by ${binding.kind} ${binding.metadata.name}`,
        ),
    );
}
