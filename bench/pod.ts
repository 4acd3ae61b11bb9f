import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
// The chart tests' reading of a quantity: the manifests are read the same way here and there.
import { parseQuantity } from '../test/charts/support/quantities.js';
import type { ServiceName } from './services.js';

/** How the committed manifests run a service's container, as far as its process can tell. */
export interface PodSettings {
  /** The container's memory limit, in bytes. */
  readonly memoryLimitBytes: number;
  /** `NODE_OPTIONS` of the container, if the manifests set it. */
  readonly nodeOptions: string | undefined;
}

/** The manifests of the services (Deployments and their ConfigMaps). */
export const SERVICES_MANIFEST = new URL('../dist/0002-services.k8s.yaml', import.meta.url);

interface Manifest {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: { readonly template?: { readonly spec?: { readonly containers?: Container[] } } };
}

interface Container {
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string } }[];
  readonly resources?: { readonly limits?: { readonly memory?: string } };
}

/** The memory limit and `NODE_OPTIONS` that dist/ gives `service`'s container. */
export async function podSettingsOf(service: ServiceName): Promise<PodSettings> {
  const manifests = parseAllDocuments(await readFile(SERVICES_MANIFEST, 'utf8')).map(
    (document) => document.toJS() as Manifest,
  );
  const named = (kind: string, name: string) =>
    manifests.find((manifest) => manifest.kind === kind && manifest.metadata?.name === name);
  const container = named('Deployment', service)?.spec?.template?.spec?.containers?.[0];
  const limit = container?.resources?.limits?.memory;
  const limitBytes = Math.round(parseQuantity(limit));
  if (!Number.isFinite(limitBytes)) {
    throw new Error(
      `${SERVICES_MANIFEST.pathname}: no memory limit the bench understands for the ${service} ` +
        `container (${JSON.stringify(limit)})`,
    );
  }
  const fromConfigMaps = (container?.envFrom ?? []).map(
    (source) => named('ConfigMap', source.configMapRef?.name ?? '')?.data?.NODE_OPTIONS,
  );
  const direct = container?.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value;
  return {
    memoryLimitBytes: limitBytes,
    // A variable set in `env` wins over one from `envFrom`, as in Kubernetes.
    nodeOptions: direct ?? fromConfigMaps.find((value) => value !== undefined),
  };
}
