import { describe, expect, it } from 'vitest';
import { birdService } from '../../apps/bird/service.js';
import { birdImageService } from '../../apps/bird-image/service.js';
import { startService, type ServedApp } from '../../apps/shared/service.js';
import { environmentOf } from './support/cross-references.js';
import type { ConfigMap, Deployment } from '../support/k8s-types.js';
import { loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';

type Env = Record<string, string>;

/** Starts the real service a Deployment runs, the way its server.ts does, by Deployment name. */
const START: Record<string, (env: Env) => Promise<ServedApp>> = {
  [birdService.name]: (env) => startService(birdService, { env }),
  [birdImageService.name]: (env) => startService(birdImageService, { env }),
};

/** The status of each of `paths` on `service`, which is closed afterwards. */
async function statusesOf(
  service: ServedApp,
  paths: readonly string[],
): Promise<Map<string, number>> {
  try {
    const statuses = new Map<string, number>();
    for (const path of paths) {
      const response = await fetch(`${service.url}${path}`);
      await response.arrayBuffer();
      statuses.set(path, response.status);
    }
    return statuses;
  } finally {
    await service.close();
  }
}

/**
 * Requests every probe path of every Deployment from the real app, configured by its
 * ConfigMap: a probe on a route the service does not serve would restart or unready every pod.
 */
async function probeProblems(manifests: readonly Manifest[], extraPaths: readonly string[] = []) {
  const problems: string[] = [];
  for (const deployment of ofKind<Deployment>(manifests, 'Deployment')) {
    const start = START[deployment.metadata.name];
    if (!start) {
      problems.push(`Deployment ${deployment.metadata.name}: no app is known to run it`);
      continue;
    }
    const paths = deployment.spec.template.spec.containers.flatMap((container) =>
      [container.startupProbe, container.livenessProbe, container.readinessProbe].flatMap(
        (probe) => (probe?.httpGet?.path ? [probe.httpGet.path] : []),
      ),
    );
    const service = await start(environmentOf(manifests, deployment));
    const statuses = await statusesOf(service, [...new Set([...paths, ...extraPaths])]);
    for (const [path, status] of statuses) {
      if (status !== 200)
        problems.push(`Deployment ${deployment.metadata.name}: GET ${path} answers ${status}`);
    }
  }
  return problems;
}

const manifests = loadManifests();

describe('probe paths are routes the services serve', () => {
  it('every probe, and /metrics, answers 200 from the real app configured by its ConfigMap', async () => {
    expect(await probeProblems(manifests, ['/metrics'])).toEqual([]);
  });

  it('reports a probe on a path the service does not serve', async () => {
    const broken = mutate<Deployment>(manifests, 'Deployment', 'bird-image', (d) => {
      d.spec.template.spec.containers[0]!.readinessProbe!.httpGet!.path = '/ready';
    });
    expect(await probeProblems(broken)).toEqual(['Deployment bird-image: GET /ready answers 404']);
  });

  it('reports a ConfigMap the service refuses to start with', async () => {
    const broken = mutate<ConfigMap>(manifests, 'ConfigMap', 'bird', (c) => {
      c.data!.BIRD_IMAGE_URL = 'bird-image:80';
    });
    await expect(probeProblems(broken)).rejects.toThrowError(/BIRD_IMAGE_URL="bird-image:80"/);
  });
});
