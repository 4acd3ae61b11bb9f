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

/**
 * Sub-folder of the Argo Rollouts layer (Rollouts, AnalysisTemplates, bird's canary Service and
 * ServiceMonitor, the Rollouts' autoscalers): needs the Argo Rollouts and prometheus-operator
 * CRDs. Optional: without it, the Deployments roll out as plain rolling updates. Applied after
 * the top level: its autoscalers take the names of the Deployments' and retarget them.
 */
export const ROLLOUTS_FOLDER = 'rollouts';

/** Sub-folder of the VerticalPodAutoscalers (recommender mode): needs the VPA CRD. Optional. */
export const VPA_FOLDER = 'vpa';
