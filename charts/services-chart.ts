import type { Construct } from 'constructs';
import { NamespacedChart } from './constructs/namespaced-chart.js';
import { PLACEHOLDER_PATH } from '../apps/bird/card/placeholder.js';
import { WebService } from './constructs/web-service.js';

/** Props of {@link ServicesChart}. */
export interface ServicesChartProps {
  /** @default 'aviary' */
  readonly namespace?: string;
  /** @default 'ghcr.io/aviary-dev' */
  readonly imageRegistry?: string;
  /** @default the version in package.json */
  readonly imageTag?: string;
  /** Public host name of bird. @default 'aviary.example.com' */
  readonly hostname?: string;
  /** @default 'aviary-tls' */
  readonly tlsSecretName?: string;
  /** cert-manager ClusterIssuer for bird's certificate. @default 'letsencrypt' */
  readonly clusterIssuer?: string;
  /** Autoscaler bounds of each service. @default { min: 2, max: 10 } */
  readonly replicas?: { readonly min?: number; readonly max?: number };
  /** @default 'ingress-nginx' */
  readonly ingressControllerNamespace?: string;
  /** @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /**
   * Labels of the Prometheus pods allowed to scrape the services; no other pod of the monitoring
   * namespace may connect. prometheus-operator labels every Prometheus pod it runs
   * `app.kubernetes.io/name: prometheus`.
   * @default { 'app.kubernetes.io/name': 'prometheus' }
   */
  readonly prometheusPodLabels?: Readonly<Record<string, string>>;
  /** @default the cluster's default priority */
  readonly priorityClassName?: string;
  /** A remote birds collection for bird (`BIRD_FACTS_URL`). @default the embedded catalog */
  readonly birdFactsUrl?: string;
  /** Lets bird call the internet on 443, e.g. for a remote `birdFactsUrl`. @default false */
  readonly birdInternetEgress?: boolean;
  /** Image both services answer with when they have nothing better. @default the spec's missingno */
  readonly defaultImageUrl?: string;
}

/** Name of the Secret holding the Unsplash access key; created by hand, never committed. */
export const UNSPLASH_SECRET_NAME = 'unsplash';
/** Key of {@link UNSPLASH_SECRET_NAME} that holds the access key. */
export const UNSPLASH_SECRET_KEY = 'access-key';
const UNSPLASH_MOUNT_PATH = '/var/run/secrets/unsplash';

/**
 * The two services: birdImage (internal, calls Unsplash) and bird (exposed through an Ingress,
 * calls birdImage). Prometheus's pods, and only they, may scrape both on their http port.
 */
export class ServicesChart extends NamespacedChart {
  /** bird, the public API. */
  public readonly bird: WebService;
  /** birdImage, reachable from bird only. */
  public readonly birdImage: WebService;

  constructor(scope: Construct, id: string, props: ServicesChartProps = {}) {
    super(scope, id, 'ServicesChart', props);
    const prometheus = {
      namespace: props.monitoringNamespace ?? 'monitoring',
      labels: props.prometheusPodLabels ?? { 'app.kubernetes.io/name': 'prometheus' },
    };
    const ingressController = props.ingressControllerNamespace ?? 'ingress-nginx';
    const common = {
      image: { registry: props.imageRegistry ?? 'ghcr.io/aviary-dev', tag: props.imageTag },
      replicas: props.replicas,
      priorityClassName: props.priorityClassName,
    };
    const sharedEnv = {
      DEFAULT_IMAGE_URL:
        props.defaultImageUrl ??
        'https://www.pokemonmillennium.net/wp-content/uploads/2015/11/missingno.png',
      UPSTREAM_TIMEOUT_MS: '2000',
    };

    this.birdImage = new WebService(this, 'bird-image', {
      ...common,
      port: 4200,
      env: {
        ...sharedEnv,
        UNSPLASH_API_URL: 'https://api.unsplash.com',
        UNSPLASH_ACCESS_KEY_FILE: `${UNSPLASH_MOUNT_PATH}/${UNSPLASH_SECRET_KEY}`,
      },
      // Optional: without the key the service answers the default image instead of failing.
      secretFiles: [
        { secretName: UNSPLASH_SECRET_NAME, mountPath: UNSPLASH_MOUNT_PATH, optional: true },
      ],
      allowedPods: [prometheus],
      internetEgress: true,
    });

    this.bird = new WebService(this, 'bird', {
      ...common,
      port: 4201,
      env: {
        ...sharedEnv,
        BIRD_IMAGE_URL: this.birdImage.url,
        ...(props.birdFactsUrl ? { BIRD_FACTS_URL: props.birdFactsUrl } : {}),
      },
      allowedNamespaces: [ingressController],
      allowedPods: [prometheus],
      internetEgress: props.birdInternetEgress ?? false,
      ingress: {
        host: props.hostname ?? 'aviary.example.com',
        tlsSecretName: props.tlsSecretName ?? 'aviary-tls',
        clusterIssuer: props.clusterIssuer ?? 'letsencrypt',
        controllerNamespace: ingressController,
        // The API and what the browser card loads from bird itself; nothing operational.
        paths: ['/', PLACEHOLDER_PATH],
      },
    });

    this.birdImage.allowFrom(this.bird);
  }
}
