import { k8s } from 'cdk8s-plus-27';
import { POD_TEMPLATE_HASH_LABEL } from '../monitoring/target-labels.js';
import {
  type Bytes,
  type ContainerResources,
  type Cpu,
  mebibytes,
  millicores,
  quantity,
} from '../quantities.js';
import { type RestrictedContainer, restrictedPodSpec } from './restricted-pod.js';

/** The name of the container port every probe, Service and policy refers to. */
export const HTTP_PORT_NAME = 'http';

/** Container resources, as typed sizes (`charts/quantities.ts`). */
export interface WebResources {
  /** @default millicores(100) */
  readonly cpuRequest?: Cpu;
  /** @default millicores(500) */
  readonly cpuLimit?: Cpu;
  /**
   * What a pod uses at its busiest (about 110 MB in bench/HISTORY.md, section 4), with room: the autoscaler's
   * memory target is a share of it, and one below that peak would add pods that never go away.
   * @default mebibytes(160)
   */
  readonly memoryRequest?: Bytes;
  /** @default mebibytes(256) */
  readonly memoryLimit?: Bytes;
  /**
   * Node disk the container may count on: its logs and writable layer (the root filesystem is
   * read-only, so logs mostly).
   * @default mebibytes(64)
   */
  readonly ephemeralStorageRequest?: Bytes;
  /**
   * Above it the kubelet evicts the pod. It covers the {@link TMP_SIZE} `/tmp` volume, which
   * counts against the pod's total, and the container's logs. @default mebibytes(256)
   */
  readonly ephemeralStorageLimit?: Bytes;
}

/** A web service container's requests and limits, from its props and the defaults above. */
export function webResources(props: WebResources = {}): ContainerResources {
  return {
    requests: {
      cpu: props.cpuRequest ?? millicores(100),
      memory: props.memoryRequest ?? mebibytes(160),
      ephemeralStorage: props.ephemeralStorageRequest ?? mebibytes(64),
    },
    limits: {
      cpu: props.cpuLimit ?? millicores(500),
      memory: props.memoryLimit ?? mebibytes(256),
      ephemeralStorage: props.ephemeralStorageLimit ?? mebibytes(256),
    },
  };
}

/** Size of the `/tmp` volume, the one writable place of a read-only root filesystem. */
export const TMP_SIZE = mebibytes(64);

/** A Secret mounted read-only as files, e.g. an API key the service reads from a path. */
export interface SecretFiles {
  /** Name of the Secret, created outside the manifests (never committed). */
  readonly secretName: string;
  /** Directory the Secret's keys appear in, one file per key. */
  readonly mountPath: string;
  /**
   * Lets pods start while the Secret does not exist, for services that degrade without it.
   * @default false
   */
  readonly optional?: boolean;
}

/** Everything {@link webPodTemplate} needs, already defaulted and validated by `WebService`. */
export interface WebPodOptions {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly selector: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly configMapName: string;
  readonly serviceAccountName: string;
  readonly priorityClassName: string | undefined;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsId: number;
  readonly resources: ContainerResources;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly secretFiles: readonly SecretFiles[];
}

/**
 * The pod template of a bird-style web service: one container, the restricted Pod Security
 * profile, probes on the named port, config from a ConfigMap, and a spread that prefers, but
 * never requires, distinct zones and nodes (a requirement would leave pods Pending on a small
 * cluster).
 */
export function webPodTemplate(options: WebPodOptions): k8s.PodTemplateSpec {
  const spreadOver = (topologyKey: string): k8s.TopologySpreadConstraint => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...options.selector } },
    // Counts only the pods of one ReplicaSet: during a rollout the old pods, about to go, do not
    // push the new ones onto crowded nodes (beta and on by default since Kubernetes 1.27). A
    // Deployment's pods carry `pod-template-hash`, a Rollout's (from this template, through
    // `workloadRef`) Argo Rollouts' own hash label; the scheduler ignores a key the pod lacks.
    matchLabelKeys: ['pod-template-hash', POD_TEMPLATE_HASH_LABEL],
  });
  return {
    metadata: { labels: { ...options.labels }, annotations: { ...options.annotations } },
    spec: restrictedPodSpec({
      runAsId: options.runAsId,
      // Mounted Secret files become readable by the service's group.
      groupOwnsVolumes: true,
      containers: [webContainer(options)],
      spec: {
        serviceAccountName: options.serviceAccountName,
        priorityClassName: options.priorityClassName,
        terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
        volumes: [
          // The root filesystem is read-only; /tmp is the one writable place.
          { name: 'tmp', emptyDir: { sizeLimit: quantity(TMP_SIZE) } },
          ...options.secretFiles.map((files) => ({
            name: `secret-${files.secretName}`,
            secret: {
              secretName: files.secretName,
              optional: files.optional ?? false,
              // Owner and group (fsGroup) may read; nobody may write.
              defaultMode: 0o440,
            },
          })),
        ],
        topologySpreadConstraints: [
          spreadOver('topology.kubernetes.io/zone'),
          spreadOver('kubernetes.io/hostname'),
        ],
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: 'kubernetes.io/hostname',
                  labelSelector: { matchLabels: { ...options.selector } },
                },
              },
            ],
          },
        },
      },
    }),
  };
}

function webContainer(options: WebPodOptions): RestrictedContainer {
  const httpGet = (path: string): k8s.HttpGetAction => ({
    path,
    port: k8s.IntOrString.fromString(HTTP_PORT_NAME),
  });
  return {
    name: options.name,
    image: options.image,
    ports: [{ name: HTTP_PORT_NAME, containerPort: options.port, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: options.configMapName } }],
    resources: options.resources,
    // Gives a slow start up to a minute before liveness may restart the container.
    startupProbe: {
      httpGet: httpGet(options.livenessPath),
      periodSeconds: 2,
      failureThreshold: 30,
    },
    livenessProbe: {
      httpGet: httpGet(options.livenessPath),
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: httpGet(options.readinessPath),
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      ...options.secretFiles.map((files) => ({
        name: `secret-${files.secretName}`,
        mountPath: files.mountPath,
        readOnly: true,
      })),
    ],
  };
}
