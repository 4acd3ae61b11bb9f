import type { Construct } from 'constructs';
import { DEFAULT_UNSPLASH_API_URL } from '../apps/bird-image/config.js';
import { PLACEHOLDER_PATH } from '../apps/bird/card/placeholder.js';
import {
  DEFAULT_PORTS,
  DEFAULT_UPSTREAM_TIMEOUT_MS,
  MISSINGNO_IMAGE_URL,
} from '../apps/shared/config.js';
import { APPLICATION } from './application.js';
import { NamespacedChart } from './constructs/namespaced-chart.js';
import { WebService } from './constructs/web-service.js';
import type { AviaryEnvironment } from './environments.js';
import { searchesPerPod } from './unsplash-budget.js';

/** The environment values {@link ServicesChart} reads. */
export type ServicesEnvironment = Pick<
  AviaryEnvironment,
  | 'namespace'
  | 'imageRegistry'
  | 'imageTag'
  | 'hostname'
  | 'tlsSecretName'
  | 'clusterIssuer'
  | 'replicas'
  | 'unsplashSearchesPerHour'
  | 'ingressControllerNamespace'
  | 'monitoringNamespace'
  | 'birdInternetEgress'
  | 'birdFactsUrl'
>;

/** Props of {@link ServicesChart}: its slice of the environment, and what the platform provides. */
export interface ServicesChartProps extends ServicesEnvironment {
  /**
   * Labels of the Prometheus pods allowed to scrape the services; no other pod of the monitoring
   * namespace may connect. prometheus-operator labels every Prometheus pod it runs
   * `app.kubernetes.io/name: prometheus`.
   * @default { 'app.kubernetes.io/name': 'prometheus' }
   */
  readonly prometheusPodLabels?: Readonly<Record<string, string>>;
  /** @default the cluster's default priority */
  readonly priorityClassName?: string;
  /**
   * Where the services' HorizontalPodAutoscalers go (`charts/autoscaling-chart.ts`).
   * @default this chart
   */
  readonly autoscalerScope?: Construct;
  /** Image both services answer with when they have nothing better. @default the apps' own default */
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

  constructor(scope: Construct, id: string, props: ServicesChartProps) {
    super(scope, id, 'ServicesChart', props);
    const prometheus = {
      namespace: props.monitoringNamespace,
      labels: props.prometheusPodLabels ?? { 'app.kubernetes.io/name': 'prometheus' },
    };
    const common = {
      image: { registry: props.imageRegistry, tag: props.imageTag },
      replicas: props.replicas,
      partOf: APPLICATION,
      priorityClassName: props.priorityClassName,
      autoscalerScope: props.autoscalerScope,
    };
    // Written out although they are the apps' defaults: the ConfigMap shows what the pods run with.
    const sharedEnv = {
      DEFAULT_IMAGE_URL: props.defaultImageUrl ?? MISSINGNO_IMAGE_URL,
      UPSTREAM_TIMEOUT_MS: String(DEFAULT_UPSTREAM_TIMEOUT_MS),
    };

    this.birdImage = new WebService(this, 'bird-image', {
      ...common,
      port: DEFAULT_PORTS.birdImage,
      env: {
        ...sharedEnv,
        UNSPLASH_API_URL: DEFAULT_UNSPLASH_API_URL,
        UNSPLASH_ACCESS_KEY_FILE: `${UNSPLASH_MOUNT_PATH}/${UNSPLASH_SECRET_KEY}`,
        // The budget is per pod; the key's hour is shared by all of them.
        UNSPLASH_SEARCHES_PER_HOUR: String(
          searchesPerPod({
            keySearchesPerHour: props.unsplashSearchesPerHour,
            maxReplicas: props.replicas.max,
          }),
        ),
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
      port: DEFAULT_PORTS.bird,
      env: {
        ...sharedEnv,
        BIRD_IMAGE_URL: this.birdImage.url,
        ...(props.birdFactsUrl ? { BIRD_FACTS_URL: props.birdFactsUrl } : {}),
      },
      allowedNamespaces: [props.ingressControllerNamespace],
      allowedPods: [prometheus],
      internetEgress: props.birdInternetEgress,
      ingress: {
        host: props.hostname,
        tlsSecretName: props.tlsSecretName,
        clusterIssuer: props.clusterIssuer,
        controllerNamespace: props.ingressControllerNamespace,
        // The API and what the browser card loads from bird itself; nothing operational.
        paths: ['/', PLACEHOLDER_PATH],
      },
    });

    this.birdImage.allowFrom(this.bird);
  }
}
