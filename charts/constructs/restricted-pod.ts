import type { k8s } from 'cdk8s-plus-27';
import { type ContainerResources, resourceList } from '../quantities.js';

// A container's part of the restricted Pod Security profile, with a read-only root filesystem;
// the pod sets the numeric ids and seccomp.
const RESTRICTED_CONTAINER: Readonly<k8s.SecurityContext> = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};

/** A container of a {@link restrictedPodSpec}: everything but what the profile sets. */
export interface RestrictedContainer extends Omit<
  k8s.Container,
  'securityContext' | 'resources' | 'imagePullPolicy'
> {
  /** Requests and limits both: the namespace's quota admits no pod without them. */
  readonly resources: ContainerResources;
}

/** Props of {@link restrictedPodSpec}. */
export interface RestrictedPodProps {
  /** Numeric uid and gid of every container; the image's `USER`. */
  readonly runAsId: number;
  /** Makes mounted volumes (Secret files) readable by the group `runAsId` (`fsGroup`). @default false */
  readonly groupOwnsVolumes?: boolean;
  readonly containers: readonly RestrictedContainer[];
  /** The rest of the pod spec: service account, volumes, scheduling, restart policy. @default {} */
  readonly spec?: Omit<
    k8s.PodSpec,
    'containers' | 'securityContext' | 'automountServiceAccountToken' | 'enableServiceLinks'
  >;
}

/**
 * A pod spec built for the namespace's guard rails, the one shape of every Aviary pod (the
 * services', the synthetic check's, the canary analysis's check): the restricted Pod Security
 * profile with seccomp and a read-only root filesystem, requests and limits on every container,
 * no Kubernetes API token and no service links.
 */
export function restrictedPodSpec(props: RestrictedPodProps): k8s.PodSpec {
  const { runAsId } = props;
  return {
    ...props.spec,
    // No pod of Aviary calls the Kubernetes API: no token to steal.
    automountServiceAccountToken: false,
    // Service links would inject BIRD_PORT=tcp://… and the like next to our own variables.
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: runAsId,
      runAsGroup: runAsId,
      ...(props.groupOwnsVolumes ? { fsGroup: runAsId } : {}),
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: props.containers.map(({ resources, ...container }) => ({
      ...container,
      // Tags are pinned releases, never moved: a node's cached copy is the right one.
      imagePullPolicy: 'IfNotPresent',
      resources: {
        requests: resourceList(resources.requests),
        limits: resourceList(resources.limits),
      },
      securityContext: { ...RESTRICTED_CONTAINER },
    })),
  };
}
