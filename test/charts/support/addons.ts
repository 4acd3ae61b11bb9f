/**
 * What the add-ons the README lists really create, as fixtures: names, labels, ports, security
 * contexts and resources copied from each project's source at the version named. The checks run
 * them through the same guard rails as Aviary's own pods. `APP_NAMESPACE` stands for the
 * namespace of the application (cert-manager creates its solver there).
 */
import type { KubeObject, PodSpec, Labels } from '../../support/k8s-types.js';

/** Placeholder for the application's namespace in the fixtures below. */
export const APP_NAMESPACE = '<app>';

/** A pod an add-on runs, as the add-on creates it. */
export interface AddOnPod {
  readonly name: string;
  /** Its namespace, or {@link APP_NAMESPACE}. */
  readonly namespace: string;
  readonly labels: Labels;
  readonly spec: PodSpec;
  /** Where Aviary's traffic or the add-on's own traffic must reach it, e.g. the solver's port. */
  readonly reachedFrom?: readonly { readonly pod: string; readonly port: number }[];
}

/** One add-on, the objects it owns by name, and the pods it runs. */
export interface AddOn {
  readonly name: string;
  /** The upstream release the facts come from. */
  readonly version: string;
  /** Where in the upstream source they are. */
  readonly source: string;
  /** Objects the add-on creates and reconciles: Aviary must never create one of these names. */
  readonly owns: readonly { readonly kind: string; readonly name: string }[];
  readonly pods: readonly AddOnPod[];
  /** Other objects it creates in the application's namespace (cert-manager's solver Service). */
  readonly objects?: readonly KubeObject[];
}

/** The part of a cert-manager ClusterIssuer that decides its solver's Service. */
export interface AcmeIssuer {
  readonly spec: {
    readonly acme: {
      readonly solvers: readonly {
        readonly http01?: { readonly ingress?: { serviceType?: string } };
      }[];
    };
  };
}

/**
 * The Service cert-manager v1.21.1 creates for an HTTP-01 challenge of `issuer` (all its
 * solvers are HTTP-01 through an Ingress): a NodePort unless the solver's
 * `http01.ingress.serviceType` says otherwise (pkg/issuer/acme/http/service.go, buildService
 * and getServiceType; the field is pkg/apis/acme/v1/types_issuer.go,
 * ACMEChallengeSolverHTTP01Ingress.ServiceType: "Supported values are NodePort or ClusterIP.
 * If unset, defaults to NodePort"). `undefined` stands for an issuer that does not set it.
 */
export function acmeSolverService(issuer: AcmeIssuer | undefined): KubeObject {
  const serviceType = issuer?.spec.acme.solvers[0]?.http01?.ingress?.serviceType;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'cm-acme-http-solver-5qf8d',
      namespace: APP_NAMESPACE,
      labels: ACME_SOLVER_LABELS,
    },
    spec: {
      type: serviceType || 'NodePort',
      ports: [{ name: 'http', port: 8089, targetPort: 8089 }],
      selector: ACME_SOLVER_LABELS,
    },
  };
}

const ACME_SOLVER_LABELS = {
  // adler32 of the domain and of the token (pkg/issuer/acme/http/pod.go podLabels)
  'acme.cert-manager.io/http-domain': '1883113453',
  'acme.cert-manager.io/http-token': '1190279960',
  'acme.cert-manager.io/http01-solver': 'true',
};

/** cert-manager v1.21.1: the HTTP-01 solver pod and Service it creates for each challenge. */
export const certManager: AddOn = {
  name: 'cert-manager',
  version: 'v1.21.1',
  source:
    'pkg/issuer/acme/http/pod.go (buildDefaultPod), service.go (buildService), http.go ' +
    '(acmeSolverListenPort = 8089), internal/apis/config/controller/v1alpha1/defaults.go',
  owns: [],
  pods: [
    {
      name: 'cm-acme-http-solver-x7k2p',
      namespace: APP_NAMESPACE,
      labels: ACME_SOLVER_LABELS,
      reachedFrom: [{ pod: 'ingress-nginx-controller', port: 8089 }],
      spec: {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: 'OnFailure',
        // Defaults of the controller's config: runAsNonRoot true, seccomp RuntimeDefault, and
        // no runAsUser (the acmesolver image's user applies).
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'acmesolver',
            image: 'quay.io/jetstack/cert-manager-acmesolver:v1.21.1',
            ports: [{ name: 'http', containerPort: 8089 }],
            resources: {
              requests: { cpu: '10m', memory: '64Mi' },
              limits: { cpu: '100m', memory: '64Mi' },
            },
            securityContext: {
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    },
  ],
  objects: [acmeSolverService(undefined)],
};

/** ingress-nginx (Helm chart 4.15.1): the controller and the class it serves. */
export const ingressNginx: AddOn = {
  name: 'ingress-nginx',
  version: 'helm chart 4.15.1 (controller v1.15.1)',
  source:
    'charts/ingress-nginx/templates/controller-deployment.yaml, controller-ingressclass.yaml, values.yaml',
  owns: [{ kind: 'IngressClass', name: 'nginx' }],
  pods: [
    {
      name: 'ingress-nginx-controller',
      namespace: 'ingress-nginx',
      labels: {
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/instance': 'ingress-nginx',
        'app.kubernetes.io/component': 'controller',
      },
      // values.yaml: controller.priorityClassName "" (the cluster's default, 0).
      spec: { priority: 0, containers: [{ name: 'controller' }] },
    },
  ],
};

/** Longhorn v1.12.1: the StorageClasses its manager creates and reconciles. */
export const longhorn: AddOn = {
  name: 'Longhorn',
  version: 'v1.12.1',
  source:
    'longhorn-manager types/types.go (DefaultStorageClassName "longhorn", ConfigMap ' +
    '"longhorn-storageclass"), controller/kubernetes_configmap_controller.go (deletes and ' +
    're-creates a "longhorn" class whose longhorn.io/last-applied-configmap differs), ' +
    'types/setting.go (default-longhorn-static-storage-class "longhorn-static")',
  owns: [
    { kind: 'StorageClass', name: 'longhorn' },
    { kind: 'StorageClass', name: 'longhorn-static' },
    { kind: 'ConfigMap', name: 'longhorn-storageclass' },
  ],
  pods: [],
};

/** kube-prometheus-stack 88.5.3 (prometheus-operator v0.93.1): Prometheus and Grafana pods. */
export const kubePrometheusStack: AddOn = {
  name: 'kube-prometheus-stack',
  version: '88.5.3 (prometheus-operator v0.93.1)',
  source:
    'values.yaml (prometheusSpec.priorityClassName "", grafana.sidecar.dashboards.searchNamespace ' +
    'ALL); prometheus-operator v0.93 pkg/apis/monitoring/v1/prometheus_types.go (every Prometheus pod is labelled app.kubernetes.io/name: prometheus)',
  owns: [],
  pods: [
    {
      name: 'prometheus-kube-prometheus-stack-prometheus-0',
      namespace: 'monitoring',
      labels: {
        'app.kubernetes.io/name': 'prometheus',
        'app.kubernetes.io/managed-by': 'prometheus-operator',
        'app.kubernetes.io/instance': 'kube-prometheus-stack-prometheus',
        prometheus: 'kube-prometheus-stack-prometheus',
      },
      spec: { priority: 0, containers: [{ name: 'prometheus' }] },
    },
    {
      name: 'kube-prometheus-stack-grafana-6d9f',
      namespace: 'monitoring',
      labels: {
        'app.kubernetes.io/name': 'grafana',
        'app.kubernetes.io/instance': 'kube-prometheus-stack',
      },
      spec: { priority: 0, containers: [{ name: 'grafana' }] },
    },
  ],
};

/** The add-ons the README lists as prerequisites, with the pods and names above. */
export const ADD_ONS: readonly AddOn[] = [certManager, ingressNginx, longhorn, kubePrometheusStack];

/** Every add-on pod, in `namespace` where it runs in the application's namespace. */
export function addOnPods(namespace: string): AddOnPod[] {
  return ADD_ONS.flatMap((addOn) =>
    addOn.pods.map((pod) => ({
      ...pod,
      namespace: pod.namespace === APP_NAMESPACE ? namespace : pod.namespace,
    })),
  );
}
