import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Container, Deployment, KubeObject } from '../support/k8s-types.js';
import { podman, run } from './engine.js';
import { waitUntilReady, writeSecretVolumes } from './kubelet.js';
import { objectsOf, serviceRoutes, type ServiceRoute } from './play-manifests.js';

/** One container of a played Deployment, running. */
export interface RunningContainer {
  /** The Deployment it belongs to, as played. */
  readonly deployment: Deployment;
  /** Its spec in the Deployment. */
  readonly spec: Container;
  /** Podman's name for it. */
  readonly name: string;
  /** The pod's address on the test network, reachable from the host as a kubelet reaches it. */
  readonly ip: string;
  /** `http://<pod ip>:<containerPort "http">`. */
  readonly url: string;
}

/**
 * The names podman may give the one pod of a played Deployment: `<name>-pod` from podman 4.4
 * on, `<name>-pod-0` before (Debian 12 has 4.3). Its containers are `<pod>-<container>`.
 */
export function podNamesOf(deployment: string): string[] {
  return [`${deployment}-pod`, `${deployment}-pod-0`];
}

/** The name of the pod podman made for `deployment`. */
async function podOf(deployment: string): Promise<string> {
  for (const name of podNamesOf(deployment)) {
    if ((await run('podman', ['pod', 'exists', name], { check: false })).code === 0) return name;
  }
  throw new Error(`podman made no pod for Deployment ${deployment}`);
}

// Forwards every connection to a port of the Service to the target port of its pod, found by
// name on each connection (podman's DNS knows a pod by its name), as kube-proxy does.
const SERVICE_PROXY = `
const net = require('node:net');
const dns = require('node:dns/promises');
const addressOf = async (hosts) => {
  for (const host of hosts) {
    try { return (await dns.lookup(host)).address; } catch {}
  }
};
for (const route of JSON.parse(process.argv[1])) {
  net.createServer(async (client) => {
    client.on('error', () => client.destroy());
    const address = await addressOf(route.hosts);
    if (!address) return client.destroy();
    const upstream = net.connect(route.targetPort, address);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }).listen(route.port);
}`;

/**
 * What a cluster gives dist/'s pods that `podman kube play` does not: one network for every
 * pod, and the Services. Each Service is a small forwarding container on the network whose
 * alias is the Service's name, so a pod calling `http://bird-image` (port 80) reaches the
 * birdImage pod's port 4200, as through a ClusterIP Service; Services' other features are out
 * of scope. The host is `host.containers.internal` (the network's gateway) to the pods.
 */
export class LocalCluster {
  readonly #network: string;
  readonly #proxyImage: string;
  readonly #scratch = mkdtempSync(path.join(tmpdir(), 'aviary-pods-'));
  readonly #played: string[] = [];
  readonly #volumes = new Set<string>();
  readonly #secrets = new Set<string>();
  #gateway = '';

  /**
   * @param network the podman network to create (removed first, with anything left on it)
   * @param proxyImage an image with `node`, to run the Service stand-ins in
   */
  constructor(network: string, proxyImage: string) {
    this.#network = network;
    this.#proxyImage = proxyImage;
  }

  /** The host's address on the network, where a stand-in upstream must listen. */
  get hostAddress(): string {
    return this.#gateway;
  }

  /**
   * Creates the network and starts a stand-in for each Service of `objects`. Once it resolves,
   * the host has its address on the network (a bridge exists only while a container uses it).
   */
  async start(objects: readonly KubeObject[]): Promise<void> {
    await podman(['network', 'rm', '--force', this.#network], { check: false });
    await podman(['network', 'create', this.#network]);
    this.#gateway = await podman([
      'network',
      'inspect',
      '--format',
      '{{range .Subnets}}{{.Gateway}}{{end}}',
      this.#network,
    ]);
    const routes = serviceRoutes(objects);
    for (const service of new Set(routes.map((route) => route.service))) {
      await this.#startService(
        service,
        routes.filter((route) => route.service === service),
      );
    }
  }

  async #startService(service: string, routes: readonly ServiceRoute[]): Promise<void> {
    const forwarded = routes.map(({ port, targetPort, deployment }) => ({
      port,
      targetPort,
      hosts: podNamesOf(deployment),
    }));
    await podman([
      'run',
      '--detach',
      '--replace',
      '--name',
      `${this.#network}-service-${service}`,
      '--network',
      this.#network,
      '--network-alias',
      service,
      this.#proxyImage,
      'node',
      '-e',
      SERVICE_PROXY,
      JSON.stringify(forwarded),
    ]);
  }

  /**
   * Plays `objects` (Deployments, their ConfigMaps) and `secrets` with `podman kube play` on
   * the network, and resolves once every container answers `/readyz` with 200. Rejects, with
   * the container's logs, when one exits first: an image or a pod spec that cannot run.
   */
  async play(
    objects: readonly KubeObject[],
    secrets: readonly KubeObject[] = [],
  ): Promise<RunningContainer[]> {
    for (const secret of secrets) {
      this.#secrets.add(secret.metadata.name);
      await podman(['secret', 'rm', secret.metadata.name], { check: false });
      await podman(['kube', 'play', '--quiet', '--network', this.#network, '-'], {
        input: stringify(secret),
      });
    }
    const file = path.join(this.#scratch, `play-${this.#played.length}.yaml`);
    writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'));
    this.#played.push(file);
    const deployments = objectsOf<Deployment>(objects, 'Deployment');
    for (const deployment of deployments) this.#rememberVolumes(deployment);
    await this.#removeVolumes();
    await podman(['kube', 'play', '--quiet', '--start=false', '--network', this.#network, file]);
    for (const deployment of deployments) {
      writeSecretVolumes(deployment, secrets, await this.#mountpoints(deployment));
      await podman(['pod', 'start', await podOf(deployment.metadata.name)]);
    }
    const running = await Promise.all(
      deployments.flatMap((deployment) =>
        deployment.spec.template.spec.containers.map((spec) => this.#running(deployment, spec)),
      ),
    );
    await Promise.all(running.map((container) => waitUntilReady(container)));
    return running;
  }

  async #running(deployment: Deployment, spec: Container): Promise<RunningContainer> {
    const pod = await podOf(deployment.metadata.name);
    const infra = await podman(['pod', 'inspect', '--format', '{{.InfraContainerID}}', pod]);
    const ip = await podman([
      'inspect',
      '--format',
      `{{(index .NetworkSettings.Networks "${this.#network}").IPAddress}}`,
      infra,
    ]);
    const port = spec.ports?.find((candidate) => candidate.name === 'http')?.containerPort;
    if (port === undefined) throw new Error(`${spec.name} has no container port named http`);
    const name = `${pod}-${spec.name}`;
    return { deployment, spec, name, ip, url: `http://${ip}:${port}` };
  }

  /** Podman keeps a pod's named volumes after `kube down`: they are removed before and after. */
  #rememberVolumes(deployment: Deployment): void {
    for (const volume of deployment.spec.template.spec.volumes ?? []) {
      this.#volumes.add(volume.secret?.secretName ?? volume.name);
    }
  }

  async #removeVolumes(): Promise<void> {
    for (const volume of this.#volumes) {
      await podman(['volume', 'rm', '--force', volume], { check: false });
    }
  }

  async #mountpoints(deployment: Deployment): Promise<Map<string, string>> {
    const mountpoints = new Map<string, string>();
    for (const volume of deployment.spec.template.spec.volumes ?? []) {
      const name = volume.secret?.secretName;
      if (!name) continue;
      mountpoints.set(
        name,
        await podman(['volume', 'inspect', '--format', '{{.Mountpoint}}', name]),
      );
    }
    return mountpoints;
  }

  /** Removes the pods played so far and their volumes; the network and Services stay. */
  async down(): Promise<void> {
    for (const file of this.#played.reverse()) {
      await podman(['kube', 'down', file], { check: false });
    }
    this.#played.length = 0;
    await this.#removeVolumes();
  }

  /** Removes everything started here: pods, Service stand-ins, volumes, Secrets, network. */
  async stop(): Promise<void> {
    await this.down();
    const services = await podman(
      ['ps', '--all', '--quiet', '--filter', `name=^${this.#network}-service-`],
      { check: false },
    );
    for (const id of services.split('\n').filter(Boolean)) {
      await podman(['rm', '--force', '--time', '0', id], { check: false });
    }
    for (const secret of this.#secrets) await podman(['secret', 'rm', secret], { check: false });
    await podman(['network', 'rm', '--force', this.#network], { check: false });
    rmSync(this.#scratch, { recursive: true, force: true });
  }
}
