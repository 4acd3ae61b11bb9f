import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { deployerRules, type ApiKind } from './deployer-role.js';

/** Props of {@link ClusterDeployerRole}. */
export interface ClusterDeployerRoleProps {
  /** Name of the ClusterRole and its ClusterRoleBinding (cluster-wide: unique per environment). */
  readonly name: string;
  /** The kinds, cluster-scoped and namespaced, the deployer may manage, and nothing else. */
  readonly kinds: readonly ApiKind[];
  /** Kinds it may only read (get, list, watch): what its health checks list. @default [] */
  readonly reads?: readonly ApiKind[];
  /**
   * Names of the Roles the deployer writes and binds. It holds none of their rules, so the API
   * server's escalation check needs `escalate` and `bind` on exactly these. @default []
   */
  readonly delegatedRoles?: readonly string[];
  /** The identity a GitOps controller impersonates to apply them. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

/**
 * A ClusterRole allowing exactly `kinds`, bound cluster-wide to a GitOps controller's
 * ServiceAccount: for a unit that creates cluster-scoped objects, and a namespace not there yet.
 *
 * Creating or updating a Role needs every permission it grants, or `escalate` on it; a RoleBinding
 * needs the bound Role's permissions, or `bind` on it (kubernetes/kubernetes v1.27,
 * pkg/registry/rbac/escalation_check.go). Both are checked against the object's name, which
 * Flux's server-side apply (a PATCH on the named object, its dry run too: fluxcd/pkg,
 * ssa/manager_apply.go) always gives, so `resourceNames` limits
 * them to {@link ClusterDeployerRoleProps.delegatedRoles}. `k8s` L1 objects without a namespace:
 * the caller's chart must have none (cdk8s would write it on these cluster-scoped objects).
 */
export class ClusterDeployerRole extends Construct {
  constructor(scope: Construct, id: string, props: ClusterDeployerRoleProps) {
    super(scope, id);
    const delegated = props.delegatedRoles ?? [];
    new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: props.name },
      rules: [
        ...deployerRules(props.kinds, props.reads),
        ...(delegated.length > 0
          ? [
              {
                apiGroups: ['rbac.authorization.k8s.io'],
                resources: ['roles'],
                resourceNames: [...delegated],
                verbs: ['escalate', 'bind'],
              },
            ]
          : []),
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name: props.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.name },
      subjects: [{ kind: 'ServiceAccount', ...props.serviceAccount }],
    });
  }
}
