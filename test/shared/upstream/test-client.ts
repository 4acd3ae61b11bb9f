import { createLogger } from '../../../apps/shared/logger.js';
import {
  UpstreamClient,
  type UpstreamClientOptions,
} from '../../../apps/shared/upstream/upstream-client.js';

/** What a test must say of its client; the rest has a default. */
export type TestClientOptions = Partial<UpstreamClientOptions> &
  Pick<UpstreamClientOptions, 'timeoutMs' | 'metrics'>;

/**
 * An {@link UpstreamClient} for the tests of the upstream layer: named `facts`, accepting 1 KiB
 * bodies and logging nothing, unless `options` say otherwise.
 */
export function testClient(options: TestClientOptions): UpstreamClient {
  return new UpstreamClient({
    name: 'facts',
    maxBodyBytes: 1024,
    logger: createLogger('silent'),
    ...options,
  });
}
