import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** An API kind as RBAC and Argo CD name it: its group (`''` for the core group) and kind. */
export interface ApiKind {
  readonly group: string;
  readonly kind: string;
}

/** The resource RBAC names a kind by: lower case, plural (`NetworkPolicy` → `networkpolicies`). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/** Props of {@link DeployerRole}. */
export interface DeployerRoleProps {
  /** Name of the Role and its RoleBinding. */
  readonly name: string;
  /** Namespace of the Role. @default the chart's namespace */
  readonly namespace?: string;
  /** The kinds the deployer may manage in the Role's namespace, and nothing else. */
  readonly kinds: readonly ApiKind[];
  /**
   * Kinds it may only read (get, list, watch): what its health checks look at besides `kinds`
   * (`healthCheckReads`). @default []
   */
  readonly reads?: readonly ApiKind[];
  /**
   * Kinds it may only find and delete (get, list, watch, delete): what it held once and must
   * still prune (`GitOpsUnit.retiredKinds`). @default []
   */
  readonly prunes?: readonly ApiKind[];
  /**
   * Objects of the Role's namespace it only gets by name: those its unit applied in an earlier
   * render and someone else applies now. Flux prunes what leaves a unit's inventory by getting it
   * first, then skips it when it is annotated `kustomize.toolkit.fluxcd.io/prune: disabled`
   * (fluxcd/pkg ssa/v0.76.1, ssa/manager_delete.go:64-97, as kustomize-controller v1.9.4's
   * `deleteObjects` calls it): no other verb needed. @default []
   */
  readonly gets?: readonly NamedObject[];
  /** The identity a GitOps controller impersonates to apply them. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

// What kustomize-controller needs to apply (server-side, with a dry run), wait for and prune.
export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ_VERBS = ['get', 'list', 'watch'];
const PRUNE_VERBS = [...READ_VERBS, 'delete'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** An object of a kind, by name. */
export interface NamedObject extends ApiKind {
  readonly name: string;
}

/** One rule per API group: `verbs` on the resources of `kinds` in that group. */
function rulesFor(kinds: readonly ApiKind[], verbs: readonly string[]): k8s.PolicyRule[] {
  return [...new Set(kinds.map((kind) => kind.group))].map((group) => ({
    apiGroups: [group],
    resources: kinds.filter((k) => k.group === group).map((k) => resourceOf(k.kind)),
    verbs: [...verbs],
  }));
}

/** One rule per kind: `verbs` on the objects of that kind in `objects`, by name. */
export function namedRules(
  objects: readonly NamedObject[],
  verbs: readonly string[],
): k8s.PolicyRule[] {
  const kinds = new Map(objects.map((o) => [`${o.group}/${o.kind}`, o]));
  return [...kinds.values()].map((kind) => ({
    apiGroups: [kind.group],
    resources: [resourceOf(kind.kind)],
    resourceNames: objects
      .filter((o) => o.group === kind.group && o.kind === kind.kind)
      .map((o) => o.name),
    verbs: [...verbs],
  }));
}

/**
 * A namespaced Role allowing exactly `kinds` (and reading `reads`, pruning `prunes`, getting
 * `gets` by name), bound to a GitOps controller's ServiceAccount: a controller that impersonates
 * it cannot touch another namespace, a cluster-scoped object, or a kind (Role, Secret,
 * ResourceQuota…) the deployed units do not hold. `k8s` L1 objects:
 * cdk8s-plus-27's Role cannot bind a ServiceAccount of another namespace by name.
 */
export class DeployerRole extends Construct {
  constructor(scope: Construct, id: string, props: DeployerRoleProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace ?? Chart.of(this).namespace };
    new k8s.KubeRole(this, 'Role', {
      metadata,
      rules: [
        ...rulesFor(props.kinds, VERBS),
        ...rulesFor(props.reads ?? [], READ_VERBS),
        ...rulesFor(props.prunes ?? [], PRUNE_VERBS),
        ...namedRules(props.gets ?? [], ['get']),
      ],
    });
    new k8s.KubeRoleBinding(this, 'Binding', {
      metadata,
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', ...props.serviceAccount }],
    });
  }
}
