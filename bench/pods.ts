import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
// Quantities are read as the chart tests read them.
import { parseQuantity } from '../test/charts/support/quantities.js';

/** The services, by the name of their Deployment, ConfigMap and autoscaler in dist/. */
export type ServiceName = 'bird' | 'bird-image';

/** What the committed manifests give a service's pods that the bench reproduces or judges by. */
export interface PodFacts {
  /** `NODE_OPTIONS` of its ConfigMap, '' when unset. */
  readonly nodeOptions: string;
  /** The average memory per pod its autoscaler aims for, in bytes. */
  readonly memoryTargetBytes: number;
}

const SERVICES_MANIFEST = new URL('../dist/0002-services.k8s.yaml', import.meta.url);

interface Manifest {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly spec?: {
    readonly metrics?: readonly {
      readonly resource?: { readonly name?: string; readonly target?: { averageValue?: string } };
    }[];
  };
}

/** Reads `service`'s {@link PodFacts} from dist/. */
export async function podFactsOf(service: ServiceName): Promise<PodFacts> {
  const manifests = parseAllDocuments(await readFile(SERVICES_MANIFEST, 'utf8')).map(
    (document) => document.toJS() as Manifest,
  );
  const named = (kind: string) =>
    manifests.find((manifest) => manifest.kind === kind && manifest.metadata?.name === service);
  const memoryTarget = named('HorizontalPodAutoscaler')?.spec?.metrics?.find(
    (metric) => metric.resource?.name === 'memory',
  )?.resource?.target?.averageValue;
  return {
    nodeOptions: named('ConfigMap')?.data?.NODE_OPTIONS ?? '',
    memoryTargetBytes: parseQuantity(memoryTarget),
  };
}
