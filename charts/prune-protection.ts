/**
 * The annotation that keeps Flux from deleting an object: kustomize-controller (v1.9.4,
 * `deleteObjects` in internal/controller/kustomization_controller.go) passes it as an exclusion
 * to fluxcd/pkg ssa (v0.76.1, ssa/manager_delete.go), which gets each object it would prune and
 * skips it when the live object carries it, also when the Kustomization is deleted. It goes on
 * every object a Flux unit applied once and Flux's bootstrap file applies now: the unit's next
 * sync lists it as stale and would prune it.
 */
export const FLUX_PRUNE_DISABLED: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/**
 * Annotations that keep GitOps controllers from deleting an object when it disappears from Git
 * or when the unit that applied it is removed:
 * - Argo CD: `Prune=false` skips it when pruning, `Delete=false` keeps it when the Application is
 *   deleted (sync options, Argo CD 2.x and 3.x).
 * - Flux: {@link FLUX_PRUNE_DISABLED}.
 *
 * They go on the Namespace (deleting it would delete the hand-made Secrets `unsplash` and
 * `aviary-tls` with it) and on every cluster-scoped object, which other teams may rely on.
 */
export const PRUNE_PROTECTION: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  ...FLUX_PRUNE_DISABLED,
};
