import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bird } from '../../apps/bird/app.js';
import { DEFAULT_IMAGE_TTL_MS } from '../../apps/bird/upstreams/bird-image/lookup.js';
import { birdService } from '../../apps/bird/service.js';
import { birdImageService } from '../../apps/bird-image/service.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import { CIRCUIT_STATE_VALUE } from '../../apps/shared/operational-contract.js';
import { startService, type ServedApp } from '../../apps/shared/service.js';
import { BREAKER_HALF_OPEN_AFTER_MS } from '../../apps/shared/upstream/upstream-client.js';
import { scrapeSample } from '../support/telemetry.js';
import {
  json,
  startStubUpstream,
  thumbnailFor,
  unsplashSearch,
  type StubUpstream,
} from '../support/stub-upstream.js';

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((closable) => closable.close()));
});

async function track<T extends { close(): Promise<void> }>(closable: Promise<T>): Promise<T> {
  running.push(await closable);
  return running.at(-1) as T;
}

const KEA = { name: 'Kea', description: 'An alpine parrot.' };

/** bird on a one-bird collection, in front of the real birdImage, in front of `unsplash`. */
async function startBoth(
  unsplash: StubUpstream,
): Promise<{ bird: ServedApp; birdImage: ServedApp }> {
  const facts = await track(startStubUpstream(json([KEA])));
  const birdImage = await track(
    startService(birdImageService, {
      env: { UNSPLASH_API_URL: unsplash.url, UNSPLASH_ACCESS_KEY: 'k' },
    }),
  );
  const bird = await track(
    startService(birdService, {
      env: { BIRD_FACTS_URL: facts.url, BIRD_IMAGE_URL: birdImage.url },
    }),
  );
  return { bird, birdImage };
}

/**
 * The image bird answers. A loaded machine may make the in-process services shed a request
 * (503, `Retry-After`): a correct answer too, and not what these tests are about, so it is asked
 * again.
 */
async function imageOnBird(bird: ServedApp): Promise<string> {
  for (;;) {
    const response = await fetch(`${bird.url}/`, { headers: { accept: 'application/json' } });
    if (response.status !== 503) {
      expect(response.status).toBe(200);
      return ((await response.json()) as Bird).image;
    }
    await sleep(100);
  }
}

const unsplashBreaker = (birdImage: ServedApp) =>
  scrapeSample(birdImage.url, 'circuit_breaker_state', { upstream: 'unsplash' });

describe('a fallback is not kept across services', () => {
  it('birdImage marks its default image no-store, a photo reusable for five minutes', async () => {
    const unsplash = await track(startStubUpstream(json({}, { status: 503 })));
    const { birdImage } = await startBoth(unsplash);
    const fallback = await fetch(`${birdImage.url}/?birdName=Kea`);
    expect(await fallback.json()).toBe(MISSINGNO_IMAGE_URL);
    expect(fallback.headers.get('cache-control')).toBe('no-store');

    unsplash.behave(unsplashSearch());
    const photo = await fetch(`${birdImage.url}/?birdName=Kea`);
    expect(await photo.json()).toBe(thumbnailFor('kea'));
    expect(photo.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it(
    'shows real photos on bird within seconds of the breaker closing after Unsplash recovers',
    { timeout: BREAKER_HALF_OPEN_AFTER_MS + 6 * DEFAULT_UPSTREAM_TIMEOUT_MS },
    async () => {
      const unsplash = await track(startStubUpstream(json({}, { status: 503 })));
      const { bird, birdImage } = await startBoth(unsplash);
      // bird is answered the default image, which it used to keep for five minutes.
      expect(await imageOnBird(bird)).toBe(MISSINGNO_IMAGE_URL);
      // New names, each a failed call, until birdImage's breaker opens (five in a row).
      for (let name = 0; (await unsplashBreaker(birdImage)) !== CIRCUIT_STATE_VALUE.open; name++) {
        await fetch(`${birdImage.url}/?birdName=bird${name}`);
      }
      expect(await imageOnBird(bird)).toBe(MISSINGNO_IMAGE_URL);

      unsplash.behave(unsplashSearch());
      // birdImage notices at its breaker's trial call, at most BREAKER_HALF_OPEN_AFTER_MS after
      // it opened; another name asked directly makes that call. bird is asked all along, so
      // that it holds a default image as fresh as can be when the breaker closes.
      let image = MISSINGNO_IMAGE_URL;
      while ((await unsplashBreaker(birdImage)) !== CIRCUIT_STATE_VALUE.closed) {
        image = await imageOnBird(bird);
        await fetch(`${birdImage.url}/?birdName=Kakapo`);
        await sleep(100);
      }
      const closedAt = performance.now();

      // bird keeps the default image it was answered for DEFAULT_IMAGE_TTL_MS at most; a
      // request's budget more covers the call that then asks birdImage again.
      const giveUpAt = closedAt + DEFAULT_IMAGE_TTL_MS + DEFAULT_UPSTREAM_TIMEOUT_MS;
      while (image !== thumbnailFor('kea') && performance.now() < giveUpAt) {
        await sleep(100);
        image = await imageOnBird(bird);
      }
      expect(image).toBe(thumbnailFor('kea'));
    },
  );
});
