import type {
  ConfigMap,
  Container,
  Deployment,
  KubeObject,
  Service,
} from '../support/k8s-types.js';
import { loadManifests } from '../support/manifests.js';

/** The file of dist/ that holds the services' Deployments, ConfigMaps and Services. */
export const SERVICES_FILE = '0002-services.k8s.yaml';

/** The objects of dist/'s services file, as committed. */
export function servicesObjects(): KubeObject[] {
  return loadManifests()
    .filter((manifest) => manifest.file === SERVICES_FILE)
    .map((manifest) => manifest.object);
}

/** The objects of `kind` among `objects`, typed as `T`. */
export function objectsOf<T extends KubeObject>(objects: readonly KubeObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

/** The object of `kind` named `name`; throws when there is none. */
export function objectNamed<T extends KubeObject>(
  objects: readonly KubeObject[],
  kind: string,
  name: string,
): T {
  const found = objectsOf<T>(objects, kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in ${SERVICES_FILE}`);
  return found;
}

/**
 * `objects` with `data` merged into the ConfigMap `name`: what a user does to change a setting
 * of dist/ without editing it (a kustomize overlay's patch, a Flux or Argo CD patch), here
 * applied to the parsed YAML because `podman kube play` takes no overlay and refuses a second
 * ConfigMap of the same name (`--configmap`).
 */
export function withConfigMapData(
  objects: readonly KubeObject[],
  name: string,
  data: Readonly<Record<string, string>>,
): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  const configMap = objectNamed<ConfigMap>(copy, 'ConfigMap', name);
  configMap.data = { ...configMap.data, ...data };
  return copy;
}

/**
 * `objects` as podman 4.3 (Debian 12) runs them the way a cluster would: it does not mount a
 * Secret volume marked `optional` even when the Secret exists, where Kubernetes mounts it. The
 * test always creates the Secret first, so clearing the mark changes nothing the pod sees.
 */
export function forPodman(objects: readonly KubeObject[]): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  for (const deployment of objectsOf<Deployment>(copy, 'Deployment')) {
    for (const volume of deployment.spec.template.spec.volumes ?? []) {
      // `false`, not absent: podman 4.3 dereferences the field without checking it is set.
      if (volume.secret) volume.secret.optional = false;
    }
  }
  return copy;
}

/**
 * The Secret `kubectl -n <namespace> create secret generic <name> --from-file=<key>=<file>`
 * makes (docs/deploying.md, "The Unsplash key"): each file's bytes, base64-encoded, under its key.
 */
export function genericSecret(
  name: string,
  namespace: string,
  files: Readonly<Record<string, string>>,
): KubeObject {
  const data = Object.fromEntries(
    Object.entries(files).map(([key, content]) => [key, Buffer.from(content).toString('base64')]),
  );
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data };
}

/** One port a Service stand-in listens on, and where it forwards to. */
export interface ServiceRoute {
  /** The Service's name: the DNS name pods call it by. */
  readonly service: string;
  /** The Service port, e.g. 80. */
  readonly port: number;
  /** The Deployment whose pods the Service selects. */
  readonly deployment: string;
  /** The container port the Service's `targetPort` names, e.g. 4200. */
  readonly targetPort: number;
}

/**
 * What each Service of `objects` routes, as kube-proxy would: its ports to the `targetPort` of
 * the Deployment whose pod labels its selector matches (a named `targetPort` is looked up
 * among the container's ports). Throws for a Service that selects no Deployment.
 */
export function serviceRoutes(objects: readonly KubeObject[]): ServiceRoute[] {
  const deployments = objectsOf<Deployment>(objects, 'Deployment');
  return objectsOf<Service>(objects, 'Service').flatMap((service) => {
    const selector = Object.entries(service.spec.selector ?? {});
    const deployment = deployments.find((candidate) => {
      const labels = candidate.spec.template.metadata?.labels ?? {};
      return selector.length > 0 && selector.every(([key, value]) => labels[key] === value);
    });
    if (!deployment) throw new Error(`Service ${service.metadata.name} selects no Deployment`);
    const containers = deployment.spec.template.spec.containers;
    return service.spec.ports.map((port) => ({
      service: service.metadata.name,
      port: port.port,
      deployment: deployment.metadata.name,
      targetPort: containerPort(containers, port.targetPort ?? port.port),
    }));
  });
}

function containerPort(containers: readonly Container[], target: number | string): number {
  if (typeof target === 'number') return target;
  const ports = containers.flatMap((container) => container.ports ?? []);
  const named = ports.find((port) => port.name === target);
  if (!named) throw new Error(`no container port named ${target}`);
  return named.containerPort;
}

/**
 * The image each Deployment of `objects` runs, by Deployment name, which is also its
 * Dockerfile target: the references the test tags its builds with.
 */
export function serviceImages(
  objects: readonly KubeObject[] = servicesObjects(),
): Record<string, string> {
  return Object.fromEntries(
    objectsOf<Deployment>(objects, 'Deployment').map((deployment) => {
      const [container, ...others] = deployment.spec.template.spec.containers;
      if (!container?.image || others.length > 0) {
        throw new Error(
          `Deployment ${deployment.metadata.name}: expected one container with an image`,
        );
      }
      return [deployment.metadata.name, container.image];
    }),
  );
}
