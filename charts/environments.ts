import { readReleaseTags } from './releases/release-tags.js';

/**
 * Everything that differs between two installations of Aviary. `charts/main.ts` turns one of
 * these into manifests: each chart takes it, or a `Pick<>` of the fields it reads, and keeps no
 * default of its own for them; nothing else in `charts/` holds an environment-specific value.
 */
export interface AviaryEnvironment {
  /** Namespace of both services, their policies and quota. */
  readonly namespace: string;
  /** Where the images live, e.g. `ghcr.io/aviary-dev`; names are `aviary-bird`, `aviary-bird-image`. */
  readonly imageRegistry: string;
  /** The release both images are pinned to, e.g. `0.1.0`; never `latest`. */
  readonly imageTag: string;
  /** Public host name of bird's Ingress. */
  readonly hostname: string;
  /** Secret holding the Ingress certificate; cert-manager creates it. */
  readonly tlsSecretName: string;
  /** cert-manager `ClusterIssuer` that signs the certificate. */
  readonly clusterIssuer: string;
  /** HorizontalPodAutoscaler bounds of each service. */
  readonly replicas: { readonly min: number; readonly max: number };
  /**
   * Unsplash searches an hour the access key allows (Unsplash's demo tier 50, a production key
   * 5,000), shared by every birdImage pod: each pod's own budget is derived from it and the
   * autoscaler's maximum (`charts/unsplash-budget.ts`).
   */
  readonly unsplashSearchesPerHour: number;
  /** Namespace of the ingress controller allowed to reach bird. */
  readonly ingressControllerNamespace: string;
  /** Namespace of Prometheus, allowed to scrape both services, and of Grafana's dashboards. */
  readonly monitoringNamespace: string;
  /**
   * Labels Prometheus selects ServiceMonitors and PrometheusRules by: kube-prometheus-stack's
   * `serviceMonitorSelector` and `ruleSelector` match `release: <its Helm release name>`.
   */
  readonly prometheusSelectorLabels: Readonly<Record<string, string>>;
  /** Prometheus's in-cluster URL, which Argo Rollouts' analysis queries (dist/rollouts/). */
  readonly prometheusUrl: string;
  /**
   * Lets bird call the internet on 443: needed only when its ConfigMap sets `BIRD_FACTS_URL`
   * (the default is the embedded catalog, which needs no network).
   */
  readonly birdInternetEgress: boolean;
  /**
   * A remote birds collection for bird (its `BIRD_FACTS_URL`); unset, bird serves its embedded
   * catalog. A remote one needs {@link birdInternetEgress}.
   */
  readonly birdFactsUrl?: string;
  /**
   * Whether GitOps syncs the rollouts layer (`<path>/rollouts/`: Argo Rollouts canaries, and the
   * autoscalers that scale the Rollouts) instead of the `autoscaling` unit (the autoscalers that
   * scale the Deployments). Never both: they hold autoscalers of the same names. Needs Argo
   * Rollouts in the cluster (docs/releasing.md, "Progressive delivery").
   */
  readonly progressiveDelivery: boolean;
  /** The repository and folder GitOps controllers sync. */
  readonly gitops: {
    readonly repoUrl: string;
    readonly branch: string;
    /**
     * Folder holding the synthesized manifests, relative to the repository root: where
     * `npm run synth` writes this environment, and what its GitOps objects sync.
     */
    readonly path: string;
    /**
     * First part of the names of the GitOps objects (`<namePrefix>-<unit>`: Argo CD Applications
     * and AppProjects, Flux GitRepositories, Kustomizations and ServiceAccounts), which live in the
     * controllers' namespaces, and of the cluster-scoped objects (the PriorityClass and the
     * monitoring StorageClass): two environments of one cluster never apply the same object.
     */
    readonly namePrefix: string;
  };
}

const releaseTags = readReleaseTags();

/** The production set: what the committed `dist/` holds. */
export const production: AviaryEnvironment = {
  namespace: 'aviary',
  imageRegistry: 'ghcr.io/aviary-dev',
  imageTag: releaseTags.production,
  hostname: 'aviary.example.com',
  tlsSecretName: 'aviary-tls',
  clusterIssuer: 'letsencrypt',
  replicas: { min: 2, max: 10 },
  unsplashSearchesPerHour: 5000,
  ingressControllerNamespace: 'ingress-nginx',
  monitoringNamespace: 'monitoring',
  prometheusSelectorLabels: { release: 'kube-prometheus-stack' },
  prometheusUrl: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090',
  birdInternetEgress: false,
  progressiveDelivery: true,
  // Production keeps the names it had before there were other environments: renaming a GitOps
  // object makes its controller delete what the old one applied and the new one re-create it.
  gitops: {
    repoUrl: 'https://github.com/aviary-dev/aviary',
    branch: 'main',
    path: 'dist',
    namePrefix: 'aviary',
  },
};

/**
 * Where a release runs before production (`environments/staging/`): the same cluster add-ons,
 * its own namespace, host and GitOps objects, and the tag `npm run promote` last gave it.
 */
export const staging: AviaryEnvironment = {
  ...production,
  namespace: 'aviary-staging',
  imageTag: releaseTags.staging,
  hostname: 'staging.aviary.example.com',
  replicas: { min: 2, max: 4 },
  // Its own key, at Unsplash's demo tier: production's hour is production's alone.
  unsplashSearchesPerHour: 50,
  gitops: { ...production.gitops, path: 'environments/staging', namePrefix: 'aviary-staging' },
};

/**
 * The tag of the images a developer builds and loads into a local cluster: never pulled, since
 * a tag other than `latest` makes the pull policy `IfNotPresent`.
 */
export const LOCAL_IMAGE_TAG = 'dev';

/**
 * A local kind cluster with no add-ons (`environments/local/`): images built on this machine
 * (`localhost/aviary-<service>:dev`, as podman names a local build) and loaded with `kind load`.
 * Its top level, like dist/'s, holds built-in kinds only.
 */
export const local: AviaryEnvironment = {
  ...production,
  namespace: 'aviary-local',
  imageRegistry: 'localhost',
  imageTag: LOCAL_IMAGE_TAG,
  hostname: 'aviary.localhost',
  replicas: { min: 2, max: 3 },
  // A demo key, if any: Unsplash's demo tier.
  unsplashSearchesPerHour: 50,
  // No Argo Rollouts in a local cluster: the Deployments scale and roll out on their own.
  progressiveDelivery: false,
  gitops: { ...production.gitops, path: 'environments/local', namePrefix: 'aviary-local' },
};

/**
 * Environments by name, for `AVIARY_ENV` and `npm run synth`, which renders each into its
 * `gitops.path`. Add one as a thin overlay of production, with its own namespace, folder and
 * GitOps names, e.g. `{ ...production, namespace: 'aviary-qa', hostname: 'qa.example.com',
 * gitops: { ...production.gitops, path: 'environments/qa', namePrefix: 'aviary-qa' } }`.
 */
export const environments: Readonly<Record<string, AviaryEnvironment>> = {
  production,
  staging,
  local,
};

/** An environment name `AVIARY_ENV` or a command line gave that is not in {@link environments}. */
export class UnknownEnvironmentError extends Error {}

/**
 * The environment called `name`. Throws an {@link UnknownEnvironmentError}, one line listing the
 * known ones, for any other name.
 */
export function environmentNamed(name: string, source = 'environment'): AviaryEnvironment {
  const found = Object.hasOwn(environments, name) ? environments[name] : undefined;
  if (found === undefined) {
    throw new UnknownEnvironmentError(
      `${source} ${JSON.stringify(name)} is not an environment: use one of ` +
        `${Object.keys(environments).join(', ')} (see charts/environments.ts)`,
    );
  }
  return found;
}

/**
 * The environment `AVIARY_ENV` names (default `production`), for `charts/image-refs.ts` and
 * `AVIARY_ENV=<name> npm run synth`. Throws an {@link UnknownEnvironmentError} for any other name.
 */
export function selectedEnvironment(env: NodeJS.ProcessEnv = process.env): AviaryEnvironment {
  return environmentNamed(env.AVIARY_ENV || 'production', 'AVIARY_ENV');
}
