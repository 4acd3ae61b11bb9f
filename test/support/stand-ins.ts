import { birdImageService } from '../../apps/bird-image/service.js';
import type { Logger } from '../../apps/shared/logger.js';
import {
  startStubUpstream,
  type Behaviour,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';
import { serveService } from './serve-service.js';
import { closeWhenDone } from './teardown.js';

/** `startStubUpstream` on 127.0.0.1, closed when the test is done (see `closeWhenDone`). */
export async function stubUpstream(initial?: Behaviour): Promise<StubUpstream> {
  const stub = await startStubUpstream(initial);
  closeWhenDone(() => stub.close());
  return stub;
}

/** What {@link serveBirdImage} sets besides the stand-in Unsplash and its key. */
export interface BirdImageOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
}

/**
 * The real birdImage (through `serveService`) in front of a stand-in Unsplash answering as
 * `unsplash` does, with an access key; both are closed when the test is done.
 */
export async function serveBirdImage(unsplash: Behaviour, { env, logger }: BirdImageOptions = {}) {
  const stub = await stubUpstream(unsplash);
  const birdImage = await serveService(birdImageService, {
    env: { UNSPLASH_API_URL: stub.url, UNSPLASH_ACCESS_KEY: 'test-access-key-0123', ...env },
    ...(logger === undefined ? {} : { logger }),
  });
  return { birdImage, unsplash: stub };
}
