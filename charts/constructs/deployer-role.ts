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
   * Rules it holds besides those of its kinds: those of the Roles it writes and binds (the
   * platform unit's `gitops-*` Roles). The API server lets it write a Role, or bind one, only if
   * it holds every rule that Role grants (kubernetes/kubernetes pkg/registry/rbac/
   * escalation_check.go and validation.ConfirmNoEscalation, called by role/ and rolebinding/
   * policybased/storage.go on create and update), unless it holds `escalate` or `bind`, which
   * would let it grant itself any rule of the namespace, its Namespace object's included.
   * @default []
   */
  readonly grants?: readonly RoleRule[];
  /** The identity a GitOps controller impersonates to apply them. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

// What kustomize-controller needs to apply (server-side, with a dry run), wait for and prune.
export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ_VERBS = ['get', 'list', 'watch'];
const PRUNE_VERBS = [...READ_VERBS, 'delete'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** `rules`, each distinct rule once, in order. */
function distinct(rules: readonly RoleRule[]): RoleRule[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = JSON.stringify(rule);
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

/** A rule of a Role, as the `k8s` L1 objects render it. */
export interface RoleRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

/** One rule per API group: `verbs` on the resources of `kinds` in that group. */
function rulesFor(kinds: readonly ApiKind[], verbs: readonly string[]) {
  return [...new Set(kinds.map((kind) => kind.group))].map((group) => ({
    apiGroups: [group],
    resources: kinds.filter((k) => k.group === group).map((k) => resourceOf(k.kind)),
    verbs: [...verbs],
  }));
}

/**
 * A namespaced Role allowing exactly `kinds` (and reading `reads`), bound to a GitOps controller's ServiceAccount:
 * a controller that impersonates it cannot touch another namespace, a cluster-scoped object, or
 * a kind (Role, Secret, ResourceQuota…) the deployed units do not hold. `k8s` L1 objects:
 * cdk8s-plus-27's Role cannot bind a ServiceAccount of another namespace by name.
 */
export class DeployerRole extends Construct {
  constructor(scope: Construct, id: string, props: DeployerRoleProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace ?? Chart.of(this).namespace };
    new k8s.KubeRole(this, 'Role', {
      metadata,
      rules: distinct([
        ...rulesFor(props.kinds, VERBS),
        ...rulesFor(props.reads ?? [], READ_VERBS),
        ...rulesFor(props.prunes ?? [], PRUNE_VERBS),
        ...(props.grants ?? []),
      ]).map((rule) => structuredClone(rule) as k8s.PolicyRule),
    });
    new k8s.KubeRoleBinding(this, 'Binding', {
      metadata,
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', ...props.serviceAccount }],
    });
  }
}
