import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { createApp as createBirdImageApp } from '../../apps/bird-image/app.js';
import { loadConfig as loadBirdImageConfig } from '../../apps/bird-image/config.js';
import { createDependencies as createBirdImageDependencies } from '../../apps/bird-image/dependencies.js';
import { createApp as createBirdApp } from '../../apps/bird/app.js';
import { loadConfig as loadBirdConfig } from '../../apps/bird/config.js';
import { createDependencies as createBirdDependencies } from '../../apps/bird/dependencies.js';
import { createLogger } from '../../apps/shared/logger.js';
import { environmentOf } from './support/cross-references.js';
import type { ConfigMap, Deployment } from './support/k8s-types.js';
import { loadManifests, mutate, ofKind, type Manifest } from './support/manifests.js';

type Env = Record<string, string>;
type AppBuilder = (env: Env) => Koa;

/**
 * The real app each Deployment runs, built from the environment its ConfigMap gives it, the way
 * the service's server.ts builds it (without listening on its port).
 */
const APPS: Record<string, AppBuilder> = {
  bird: (env) => {
    const config = loadBirdConfig(env);
    return createBirdApp(config, createBirdDependencies(config, createLogger('silent')));
  },
  'bird-image': (env) => {
    const config = loadBirdImageConfig(env);
    return createBirdImageApp(config, createBirdImageDependencies(config, createLogger('silent')));
  },
};

async function get(app: Koa, paths: readonly string[]): Promise<Map<string, number>> {
  const handle = app.callback();
  const server = http.createServer((req, res) => void handle(req, res)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const statuses = new Map<string, number>();
    for (const path of paths) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      await response.arrayBuffer();
      statuses.set(path, response.status);
    }
    return statuses;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Requests every probe path of every Deployment from the real app, configured by its
 * ConfigMap: a probe on a route the service does not serve would restart or unready every pod.
 */
async function probeProblems(manifests: readonly Manifest[], extraPaths: readonly string[] = []) {
  const problems: string[] = [];
  for (const deployment of ofKind<Deployment>(manifests, 'Deployment')) {
    const build = APPS[deployment.metadata.name];
    if (!build) {
      problems.push(`Deployment ${deployment.metadata.name}: no app is known to run it`);
      continue;
    }
    const paths = deployment.spec.template.spec.containers.flatMap((container) =>
      [container.startupProbe, container.livenessProbe, container.readinessProbe].flatMap(
        (probe) => (probe?.httpGet?.path ? [probe.httpGet.path] : []),
      ),
    );
    const statuses = await get(build(environmentOf(manifests, deployment)), [
      ...new Set([...paths, ...extraPaths]),
    ]);
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
