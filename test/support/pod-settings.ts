import type { ConfigMap } from './k8s-types.js';
import { loadManifests, ofKind } from './manifests.js';

/**
 * `NODE_OPTIONS` of `service`'s ConfigMap in dist/: a test that runs the service as its pod does
 * takes the heap sizes from there, so that a change to them is what the test runs with.
 */
export function podNodeOptions(service: string): string {
  const config = ofKind<ConfigMap>(loadManifests(), 'ConfigMap').find(
    (map) => map.metadata?.name === service,
  );
  const options = config?.data?.NODE_OPTIONS;
  if (options === undefined) throw new Error(`dist/ has no NODE_OPTIONS for ${service}`);
  return options;
}
