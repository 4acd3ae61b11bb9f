import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import catalog from '../../apps/bird/facts/catalog.json' with { type: 'json' };
import { UNSPLASH_SECRET_KEY, UNSPLASH_SECRET_NAME } from '../../charts/services-chart.js';
import { parseQuantity } from '../../charts/quantities.js';
import {
  json,
  startStubUpstream,
  thumbnailFor,
  unsplashSearch,
  type Behaviour,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';
import { dockerfileBase } from './base-image.js';
import { podman } from './engine.js';
import { forPodman, genericSecret, servicesObjects, withConfigMapData } from './play-manifests.js';
import { containerLogs } from './kubelet.js';
import { LocalCluster, type RunningContainer } from './pods.js';

// The pods of dist/ as its Deployments describe them, run by podman from the images the
// Dockerfile builds (global-setup.ts), checked from outside as a kubelet and a client would.

const NETWORK = 'aviary-containers';
// A fresh key each run: finding it in a log cannot be a coincidence.
const KEY = `test-key-${randomUUID()}`;
const SERVICES = ['bird-image', 'bird'] as const;

let cluster: LocalCluster;
let unsplash: StubUpstream;
const containers = new Map<string, RunningContainer>();
const containerOf = (service: string) => containers.get(service)!;

/** Unsplash's search for the right key; its 401 for any other, as the real API answers. */
function unsplashFor(key: string): Behaviour {
  const search = unsplashSearch();
  const refused = json({ errors: ['OAuth error: The access token is invalid'] }, { status: 401 });
  return (req, res) =>
    (req.headers.authorization === `Client-ID ${key}` ? search : refused)(req, res);
}

beforeAll(async () => {
  const objects = servicesObjects();
  cluster = new LocalCluster(NETWORK, dockerfileBase());
  await cluster.start(objects);
  unsplash = await startStubUpstream(unsplashFor(KEY), cluster.hostAddress);
  // The one setting changed, as a user pointing birdImage at another Unsplash would change it.
  const played = withConfigMapData(objects, 'bird-image', {
    UNSPLASH_API_URL: `http://host.containers.internal:${new URL(unsplash.url).port}`,
  });
  // The Secret as README's `kubectl create secret generic … --from-file=access-key=/dev/stdin`
  // makes it from a pasted key: with its trailing newline.
  const namespace = objects.find((object) => object.kind === 'Deployment')!.metadata.namespace!;
  const secret = genericSecret(UNSPLASH_SECRET_NAME, namespace, {
    [UNSPLASH_SECRET_KEY]: `${KEY}\n`,
  });
  for (const container of await cluster.play(forPodman(played), [secret])) {
    containers.set(container.deployment.metadata.name, container);
  }
});

afterAll(async () => {
  await cluster?.stop();
  await unsplash?.close();
});

/** Runs `command` in the container, as its user; resolves with what it printed. */
const exec = (service: string, ...command: string[]) =>
  podman(['exec', containerOf(service).name, ...command]);

/** The `Name:\tvalue` lines of /proc/1/status: the service process itself. */
async function processStatus(service: string): Promise<Record<string, string>> {
  const status = await exec(service, 'cat', '/proc/1/status');
  return Object.fromEntries(
    status
      .split('\n')
      .map((line) => line.split(':\t').map((part) => part.trim()) as [string, string]),
  );
}

describe("dist/'s pods, run by podman from the Dockerfile's images", () => {
  it('serve a catalog bird whose image birdImage found on Unsplash with the mounted key', async () => {
    const response = await fetch(`${containerOf('bird').url}/`);
    expect(response.status).toBe(200);
    const bird = (await response.json()) as { name: string; description: string; image: string };

    expect(catalog.map((entry) => entry.name)).toContain(bird.name);
    // bird called birdImage through the Service name, and birdImage called the stand-in with
    // the key read from the Secret file (newline dropped): anything else answers a default.
    const search = unsplash.requests.find((request) => request.url.startsWith('/search/photos'));
    expect(search?.headers.authorization).toBe(`Client-ID ${KEY}`);
    const query = new URL(search!.url, 'http://unsplash').searchParams.get('query')!;
    expect(query).toBe(bird.name.toLowerCase());
    expect(bird.image).toBe(thumbnailFor(query));
  });

  it.for(SERVICES)('%s runs as the pod’s uid and gid, holding no capability', async (service) => {
    const { runAsUser, runAsGroup } =
      containerOf(service).deployment.spec.template.spec.securityContext!;
    const status = await processStatus(service);

    expect(status.Uid!.split(/\s+/)).toEqual(Array(4).fill(String(runAsUser)));
    expect(status.Gid!.split(/\s+/)).toEqual(Array(4).fill(String(runAsGroup)));
    expect([runAsUser, runAsGroup]).toEqual([10001, 10001]);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(status[set], set).toBe('0000000000000000');
    }
  });

  it.for(SERVICES)('%s cannot write outside /tmp', async (service) => {
    const files = ['/probe', '/app/probe', '/app/build/probe', '/var/tmp/probe', '/tmp/probe'];
    const probe = `
      const fs = require('node:fs');
      const write = (file) => { try { fs.writeFileSync(file, ''); return 'written'; } catch (e) { return e.code; } };
      console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(files)}.map((f) => [f, write(f)]))));`;
    const writes = JSON.parse(await exec(service, 'node', '-e', probe)) as Record<string, string>;

    // EROFS, not EACCES: the root filesystem itself is read-only, whatever the permissions.
    expect(writes).toEqual({
      '/probe': 'EROFS',
      '/app/probe': 'EROFS',
      '/app/build/probe': 'EROFS',
      '/var/tmp/probe': 'EROFS',
      '/tmp/probe': 'written',
    });
  });

  it.for(SERVICES)('%s has the memory limit of its manifest', async (service) => {
    const { spec, name } = containerOf(service);
    const limit = parseQuantity(spec.resources?.limits?.memory);
    // cgroup v2, else v1: what the kernel enforces, and what Node sizes its heap from.
    const enforced = await exec(
      service,
      'sh',
      '-c',
      'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
    );

    expect(limit).toBe(256 * 2 ** 20);
    expect(Number(enforced)).toBe(limit);
    expect(Number(await podman(['inspect', '--format', '{{.HostConfig.Memory}}', name]))).toBe(
      limit,
    );
  });

  it('turn unready, then exit 0 within their grace period on podman stop', async () => {
    const stops = SERVICES.map(async (service) => {
      const { deployment, name, url } = containerOf(service);
      const grace = deployment.spec.template.spec.terminationGracePeriodSeconds!;
      const started = performance.now();
      // `--time` is the grace period: podman sends SIGTERM, then SIGKILL once it is over.
      const stopped = podman(['stop', '--time', String(grace), name]);
      let readiness: number | string = 'never called';
      for (let attempt = 0; attempt < 100; attempt++) {
        readiness = await fetch(`${url}/readyz`).then(
          (response) => response.status,
          (error: Error) => error.message,
        );
        if (readiness !== 200) break;
        await sleep(50);
      }
      await stopped;
      const seconds = (performance.now() - started) / 1000;
      const exitCode = await podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
      return { service, readiness, exitCode, withinGrace: seconds < grace };
    });

    expect(await Promise.all(stops)).toEqual(
      SERVICES.map((service) => ({ service, readiness: 503, exitCode: '0', withinGrace: true })),
    );
  });

  it('never write the key to their logs', async () => {
    for (const service of SERVICES) {
      const logs = await containerLogs(containerOf(service).name);
      expect(logs, service).toContain('"msg":"listening"');
      expect(logs, service).not.toContain(KEY);
      expect(logs, service).not.toContain(Buffer.from(KEY).toString('base64').slice(0, 24));
    }
  });
});
