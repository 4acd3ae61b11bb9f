/**
 * Sub-folders of the output folder for objects whose kinds come from CRDs. `kubectl apply -f
 * dist` does not recurse, so a vanilla cluster never meets them; GitOps controllers that
 * recurse apply them once the CRDs exist.
 */
export const MONITORING_FOLDER = 'monitoring';

/**
 * Sub-folder of the GitOps bootstrap objects (Argo CD Application, Flux source and
 * Kustomization). Applied once by hand; the controllers must never sync it themselves.
 */
export const GITOPS_FOLDER = 'gitops';
