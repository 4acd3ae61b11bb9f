import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { namedRules, VERBS, type NamedObject } from './deployer-role.js';

/** Props of {@link NamedObjectsRole}. */
export interface NamedObjectsRoleProps {
  /** Name of the ClusterRole and its ClusterRoleBinding (cluster-wide: unique per environment). */
  readonly name: string;
  /** The cluster-scoped objects the deployer applies, and may manage by name. @default [] */
  readonly objects?: readonly NamedObject[];
  /**
   * Objects it only gets by name: those its unit applied in an earlier render and someone else
   * applies now. Flux prunes what leaves a unit's inventory by getting it first, then skips it
   * when it is annotated `kustomize.toolkit.fluxcd.io/prune: disabled` (fluxcd/pkg ssa/v0.76.1,
   * ssa/manager_delete.go:64-97, as kustomize-controller v1.9.4 uses it): no delete needed.
   * @default []
   */
  readonly gets?: readonly NamedObject[];
  /** The identity a GitOps controller impersonates to apply them. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

// `list` and `watch` cannot be limited to names, and Flux needs neither: it gets, applies
// (a server-side PATCH of the named object, authorized as `create` with that name when the
// object is new: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
// patch.go, `createAuthorizerAttributes`), waits (kstatus reads each object by name with the
// direct cluster reader, as the DisableStatusPollerCache feature gate does by default from
// kustomize-controller v1.2.0, Flux 2.2: internal/features/features.go; v1.0 and v1.1 cached, and
// a cache LISTs) and prunes by name.
const NAMED_VERBS = VERBS.filter((verb) => verb !== 'list' && verb !== 'watch');

/**
 * A ClusterRole allowing a GitOps controller's ServiceAccount exactly the named cluster-scoped
 * objects of its unit, bound cluster-wide. Every
 * rule carries `resourceNames` and names a cluster-scoped resource: nothing in it reaches a
 * namespaced object, so no namespace but the one named here is within its reach. `k8s` L1
 * objects: cdk8s-plus-27's ClusterRole cannot bind a ServiceAccount of another namespace by name.
 */
export class NamedObjectsRole extends Construct {
  constructor(scope: Construct, id: string, props: NamedObjectsRoleProps) {
    super(scope, id);
    new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: props.name },
      rules: [
        ...namedRules(props.objects ?? [], NAMED_VERBS),
        ...namedRules(props.gets ?? [], ['get']),
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata: { name: props.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.name },
      subjects: [{ kind: 'ServiceAccount', ...props.serviceAccount }],
    });
  }
}
