import type { Container, SecurityContext } from '../../support/k8s-types.js';
import type { Manifest } from '../../support/manifests.js';
import { containersOf, podWorkloads, ref } from './workloads.js';

/** Volume sources the `restricted` Pod Security profile allows. */
export const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** The lowest uid/gid a pod may run as: below it, ids collide with the node's users. */
const MIN_RUN_AS_ID = 10000;

/**
 * What an admission policy would reject: the `restricted` Pod Security profile, tightened to
 * numeric ids of at least {@link MIN_RUN_AS_ID} and a read-only root filesystem.
 */
export function podSecurityProblems(manifests: readonly Manifest[]): string[] {
  return podWorkloads(manifests).flatMap((deployment) => {
    const at = `${deployment.kind} ${ref(deployment)}`;
    const pod = deployment.spec.template.spec;
    const problems: string[] = [];
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (pod[field]) problems.push(`${at}: ${field} is set`);
    }
    for (const volume of pod.volumes ?? []) {
      const sources = Object.keys(volume).filter((key) => key !== 'name');
      const forbidden = sources.filter((source) => !RESTRICTED_VOLUMES.includes(source));
      if (forbidden.length > 0)
        problems.push(`${at}: volume ${volume.name} uses ${forbidden.join()}`);
    }
    if (pod.automountServiceAccountToken !== false) {
      problems.push(`${at}: automountServiceAccountToken is not false`);
    }
    if (pod.securityContext?.fsGroup !== undefined && pod.securityContext.fsGroup < MIN_RUN_AS_ID) {
      problems.push(`${at}: fsGroup ${pod.securityContext.fsGroup} is below ${MIN_RUN_AS_ID}`);
    }
    for (const container of containersOf(deployment)) {
      problems.push(
        ...containerProblems(container, pod.securityContext ?? {}).map((p) => `${at}: ${p}`),
      );
    }
    return problems;
  });
}

function containerProblems(container: Container, podContext: SecurityContext): string[] {
  // Container settings override the pod's, field by field.
  const sc: SecurityContext = { ...podContext, ...container.securityContext };
  const at = `container ${container.name}`;
  const problems: string[] = [];
  if (sc.privileged) problems.push(`${at} is privileged`);
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${at} allows privilege escalation`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL'))
    problems.push(`${at} does not drop ALL capabilities`);
  const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
  if (added.length > 0) problems.push(`${at} adds capabilities ${added.join()}`);
  if (sc.runAsNonRoot !== true) problems.push(`${at} does not set runAsNonRoot`);
  for (const field of ['runAsUser', 'runAsGroup'] as const) {
    const id = sc[field];
    if (id === undefined || !Number.isInteger(id) || id < MIN_RUN_AS_ID) {
      problems.push(`${at} ${field} ${id} is not a numeric id ≥ ${MIN_RUN_AS_ID}`);
    }
  }
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${at} root filesystem is writable`);
  if (sc.seccompProfile?.type !== 'RuntimeDefault') {
    problems.push(`${at} seccompProfile is ${sc.seccompProfile?.type} instead of RuntimeDefault`);
  }
  return problems;
}
