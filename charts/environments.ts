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
  /** The repository and folder GitOps controllers sync. */
  readonly gitops: {
    readonly repoUrl: string;
    readonly branch: string;
    /** Folder holding the synthesized manifests, relative to the repository root. */
    readonly path: string;
  };
}

/** The production set: what the committed `dist/` holds. */
export const production: AviaryEnvironment = {
  namespace: 'aviary',
  imageRegistry: 'ghcr.io/aviary-dev',
  imageTag: '0.1.0',
  hostname: 'aviary.example.com',
  tlsSecretName: 'aviary-tls',
  clusterIssuer: 'letsencrypt',
  replicas: { min: 2, max: 10 },
  ingressControllerNamespace: 'ingress-nginx',
  monitoringNamespace: 'monitoring',
  prometheusSelectorLabels: { release: 'kube-prometheus-stack' },
  prometheusUrl: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090',
  birdInternetEgress: false,
  gitops: { repoUrl: 'https://github.com/aviary-dev/aviary', branch: 'main', path: 'dist' },
};

/**
 * A kind cluster on your own machine, with no add-on (`npm run local-cluster`): images built
 * locally under a release tag, so that the nodes use what `kind load` put there.
 */
export const local: AviaryEnvironment = {
  ...production,
  namespace: 'aviary-local',
  imageTag: '0.0.0-local',
  gitops: { ...production.gitops, path: 'environments/local' },
};

/**
 * The environment `AVIARY_ENV` names (default `production`), for `npm run synth` and
 * `charts/image-refs.ts`. Throws, listing the known ones, for any other name.
 */
export function selectedEnvironment(env: NodeJS.ProcessEnv = process.env): AviaryEnvironment {
  // Typed here as well as below, so that an overlay pasted without the annotation still checks.
  const known: Readonly<Record<string, AviaryEnvironment>> = environments;
  const name = env.AVIARY_ENV || 'production';
  const found = Object.hasOwn(known, name) ? known[name] : undefined;
  if (found === undefined) {
    throw new Error(
      `AVIARY_ENV=${JSON.stringify(name)} is not an environment: use one of ` +
        `${Object.keys(known).join(', ')} (see charts/environments.ts)`,
    );
  }
  return found;
}

/**
 * Environments by name, for `AVIARY_ENV`. Add one as a thin overlay of production, e.g.
 * `staging: { ...production, namespace: 'aviary-staging', hostname: 'staging.example.com' }`.
 */
export const environments: Readonly<Record<string, AviaryEnvironment>> = { production, local };
