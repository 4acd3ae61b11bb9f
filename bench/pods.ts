import { readdir, readFile } from 'node:fs/promises';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { parseQuantity } from '../charts/quantities.js';

/** The services, by the name of their Deployment, ConfigMap and autoscaler in dist/. */
export type ServiceName = 'bird' | 'bird-image';

/** What the committed manifests give a service's pods that the bench reproduces or judges by. */
export interface PodFacts {
  /**
   * The variables of its ConfigMap that Node and glibc read rather than the app
   * ({@link RUNTIME_VARIABLES}): a server of the bench runs with them as the pod does.
   */
  readonly runtimeEnv: Readonly<Record<string, string>>;
  /** The average memory per pod its autoscaler aims for, in bytes. */
  readonly memoryTargetBytes: number;
}

// The top level of dist/: what `kubectl apply -f dist` applies, the ConfigMaps and the
// Deployments' autoscalers among it.
const DIST = new URL('../dist/', import.meta.url);

type Manifest = ConfigMap | HorizontalPodAutoscaler;

/** Variables of a service's ConfigMap read by the runtime: heap sizes, and glibc's malloc arenas. */
export const RUNTIME_VARIABLES = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'] as const;

/** Reads `service`'s {@link PodFacts} from dist/. */
export async function podFactsOf(service: ServiceName): Promise<PodFacts> {
  const files = (await readdir(DIST)).filter((file) => file.endsWith('.yaml'));
  const texts = await Promise.all(files.map((file) => readFile(new URL(file, DIST), 'utf8')));
  const manifests = texts.flatMap((text) =>
    parseAllDocuments(text).map((document) => document.toJS() as Manifest),
  );
  const named = <M extends Manifest>(kind: M['kind']) =>
    manifests.find((m): m is M => m.kind === kind && m.metadata?.name === service);
  const memoryTarget = named<HorizontalPodAutoscaler>(
    'HorizontalPodAutoscaler',
  )?.spec?.metrics?.find((metric) => metric.resource?.name === 'memory')?.resource?.target
    .averageValue;
  return {
    runtimeEnv: Object.fromEntries(
      RUNTIME_VARIABLES.flatMap((name) => {
        const value = named<ConfigMap>('ConfigMap')?.data?.[name];
        return value === undefined ? [] : [[name, value]];
      }),
    ),
    memoryTargetBytes: parseQuantity(memoryTarget),
  };
}
