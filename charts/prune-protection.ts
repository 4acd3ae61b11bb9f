/**
 * Annotations that keep GitOps controllers from deleting an object when it disappears from Git
 * or when the unit that applied it is removed:
 * - Argo CD: `Prune=false` skips it when pruning, `Delete=false` keeps it when the Application is
 *   deleted (sync options, Argo CD 2.x and 3.x).
 * - Flux: `kustomize.toolkit.fluxcd.io/prune: disabled` leaves it out of garbage collection, also
 *   when the Kustomization is deleted (kustomize-controller).
 *
 * They go on the Namespace (deleting it would delete the hand-made Secrets `unsplash` and
 * `aviary-tls` with it) and on every cluster-scoped object, which other teams may rely on.
 */
export const PRUNE_PROTECTION: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};
