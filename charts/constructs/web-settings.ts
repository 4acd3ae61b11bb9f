import { createHash } from 'node:crypto';
import { Duration } from 'cdk8s';
import { DEFAULT_LOG_LEVEL, DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../../apps/shared/config.js';
import type { Bytes } from '../quantities.js';
import { checkInteger, failProp } from './props.js';
import type { ImageReference, WebServiceProps } from './web-service-props.js';

const RESERVED_ENV = [
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'SHUTDOWN_DELAY_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'NODE_OPTIONS',
  'MALLOC_ARENA_MAX',
];
const REGISTRY = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/;
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Whether `tag` is an image tag the manifests may pin: Docker's tag grammar, and never `latest`
 * (a moving tag would make a rollback, and the committed manifests, meaningless).
 */
export const isPinnableTag = (tag: string): boolean => TAG.test(tag) && tag !== 'latest';

/** The image reference `<registry>/<repository>:<tag>`, validated; never `latest`. */
export function resolveImage(owner: string, name: string, image: ImageReference): string {
  const { registry, tag } = image;
  if (!REGISTRY.test(registry)) {
    failProp(owner, 'image.registry', registry, 'use a host and path such as "ghcr.io/org"');
  }
  const repository = image.repository ?? `aviary-${name}`;
  if (!REPOSITORY.test(repository)) {
    failProp(owner, 'image.repository', repository, 'use a lower-case name such as "bird"');
  }
  if (!isPinnableTag(tag)) {
    failProp(owner, 'image.tag', tag, 'pin a release such as "0.1.0" (never "latest")');
  }
  return `${registry}/${repository}:${tag}`;
}

/**
 * `NODE_OPTIONS` unless the props set their own: 8 MB semi-spaces (in a container Node sizes its
 * young generation from the memory limit, 1 MB at 256 MiB, and the services then spend about a
 * third more CPU per request; bench/HISTORY.md, section 4) and an old space of half the memory
 * limit. Node 20 in a 256 MiB container sets its heap limit at 259 MB, the whole container
 * (measured in a memory cgroup, bench/HISTORY.md, section 11): the heap would never be collected
 * for want of room before the kernel killed the pod. V8 also lets the old space fill further
 * before collecting it the higher its limit: bird under load held 98–101 MB with 128, 125 MB with
 * the bench machine's default limit (section 11). Half leaves the other half for the node
 * binary's pages (about 48 MB), the young generation, buffers and the allocator.
 */
export function defaultNodeOptions(memoryLimit: Bytes): string {
  return `--max-semi-space-size=8 --max-old-space-size=${Math.floor(memoryLimit.wholeMebibytes / 2)}`;
}

/**
 * glibc's malloc arenas for the process's threads (V8's workers, libuv's pool): by default up to
 * 8 per core, each holding freed memory of its own; two hold about 6 MB less per process
 * (bench/HISTORY.md, section 9) at no measured cost in CPU.
 */
const MALLOC_ARENA_MAX = '2';

/** The ConfigMap data of a service, and a grace period that outlasts its shutdown. */
export function resolveConfig(
  owner: string,
  port: number,
  memoryLimit: Bytes,
  props: Pick<
    WebServiceProps,
    | 'env'
    | 'logLevel'
    | 'shutdownDelay'
    | 'shutdownTimeout'
    | 'terminationGracePeriod'
    | 'nodeOptions'
  >,
): { data: Record<string, string>; gracePeriodSeconds: number } {
  const env = props.env ?? {};
  for (const key of RESERVED_ENV.filter((reserved) => reserved in env)) {
    failProp(owner, `env.${key}`, env[key], 'remove it; it is derived from other props');
  }
  const delayMs = (props.shutdownDelay ?? Duration.seconds(5)).toMilliseconds();
  const timeoutMs = (
    props.shutdownTimeout ?? Duration.millis(DEFAULT_SHUTDOWN_TIMEOUT_MS)
  ).toMilliseconds();
  const drainSeconds = Math.ceil((delayMs + timeoutMs) / 1000);
  const gracePeriodSeconds = props.terminationGracePeriod?.toSeconds() ?? drainSeconds + 5;
  if (gracePeriodSeconds <= drainSeconds) {
    failProp(
      owner,
      'terminationGracePeriod',
      `${gracePeriodSeconds}s`,
      `exceed shutdownDelay + shutdownTimeout (${drainSeconds}s), or pods are killed mid-drain`,
    );
  }
  const nodeOptions = props.nodeOptions ?? defaultNodeOptions(memoryLimit);
  const data = {
    PORT: String(port),
    // Every interface of the pod, whatever the apps' own default: the kubelet's probes and the
    // Service reach the pod's IP, not its loopback.
    HOST: '0.0.0.0',
    LOG_LEVEL: props.logLevel ?? DEFAULT_LOG_LEVEL,
    SHUTDOWN_DELAY_MS: String(delayMs),
    SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
    ...(nodeOptions !== '' && { NODE_OPTIONS: nodeOptions }),
    MALLOC_ARENA_MAX,
    ...env,
  };
  return { data, gracePeriodSeconds };
}

/** Autoscaler bounds, validated against each other and against the disruption budget. */
export function resolveReplicas(
  owner: string,
  replicas: WebServiceProps['replicas'],
  disruptionBudget: boolean,
): { min: number; max: number } {
  const { min, max } = replicas;
  checkInteger(owner, 'replicas.min', min, 1);
  checkInteger(owner, 'replicas.max', max, 1);
  if (min > max) {
    failProp(owner, 'replicas', { min, max }, 'min must not exceed max');
  }
  if (min < 2 && disruptionBudget) {
    failProp(
      owner,
      'replicas.min',
      min,
      'use at least 2 (with one pod a disruption budget either blocks every drain or ' +
        'protects nothing), or set disruptionBudget: false',
    );
  }
  return { min, max };
}

/** The uid and gid the containers run as. */
export function resolveRunAsId(owner: string, runAsId: number | undefined): number {
  const id = runAsId ?? 10001;
  // Ids below 10000 may collide with users of the node; the restricted profile forbids 0.
  checkInteger(owner, 'runAsId', id, 10000, 2147483647);
  return id;
}

/** A stable digest of ConfigMap data, independent of key order. */
export function configChecksum(data: Readonly<Record<string, string>>): string {
  const entries = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
