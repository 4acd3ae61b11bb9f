import { chownSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment, KubeObject } from '../support/k8s-types.js';
import { lastLines, podman, run } from './engine.js';

// What the kubelet does for a pod that podman 4.3 does not, done by the test as the kubelet
// does it: the Secret volume's contents, and a readiness probe.

/**
 * Writes each key of each Secret a Deployment mounts into the volume podman made for it, as
 * the kubelet does: decoded, with the volume's `defaultMode`, group-owned by the pod's
 * `fsGroup`. Podman 4.3 (Debian 12) writes the values still base64-encoded
 * (containers/podman#16625, fixed in 4.4) and applies neither mode nor group; what the service
 * reads is under test here, not podman's copying.
 */
export function writeSecretVolumes(
  deployment: Deployment,
  secrets: readonly KubeObject[],
  mountpoints: ReadonlyMap<string, string>,
): void {
  const pod = deployment.spec.template.spec;
  for (const volume of pod.volumes ?? []) {
    if (!volume.secret) continue;
    const { secretName, defaultMode = 0o644 } = volume.secret as {
      secretName: string;
      defaultMode?: number;
    };
    const secret = secrets.find((candidate) => candidate.metadata.name === secretName);
    if (!secret)
      throw new Error(`${deployment.metadata.name} mounts Secret ${secretName}: play it`);
    for (const [key, value] of Object.entries(secret.data as Record<string, string>)) {
      const file = path.join(mountpoints.get(secretName)!, key);
      writeFileSync(file, Buffer.from(value, 'base64'), { mode: defaultMode });
      chownSync(file, 0, pod.securityContext?.fsGroup ?? 0);
    }
  }
}

/** Everything a container wrote, standard output and error. */
export async function containerLogs(name: string): Promise<string> {
  const { stdout, stderr } = await run('podman', ['logs', name], { check: false });
  return `${stdout}${stderr}`;
}

/**
 * Calls `/readyz` as a readiness probe would until it answers 200. Rejects, with the logs, once
 * the container has exited: podman restarts it (the pod's `restartPolicy: Always`), so an exit
 * shows as a restart count, as a crash loop does in Kubernetes.
 */
export async function waitUntilReady(
  // Podman's name for the container and its URL (a `RunningContainer` of ./pods.ts, which
  // imports this module).
  container: { readonly name: string; readonly url: string },
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [status, exitCode, restarts] = (
      await podman([
        'inspect',
        '--format',
        '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}',
        container.name,
      ])
    ).split(' ');
    if (status === 'exited' || Number(restarts) > 0) {
      const logs = await containerLogs(container.name);
      throw new Error(
        `${container.name} exited (code ${exitCode}, restarts ${restarts}) before it was ready:\n` +
          lastLines(logs),
      );
    }
    try {
      const response = await fetch(`${container.url}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`${container.name} was not ready within ${timeoutMs} ms`);
}
