import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Bird } from '../../apps/bird/app.js';
import { DEFAULT_IMAGE_TTL_MS } from '../../apps/bird/upstreams/bird-image/lookup.js';
import { birdService } from '../../apps/bird/service.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import { CIRCUIT_STATE_VALUE } from '../../apps/shared/operational-contract.js';
import type { ServedApp } from '../../apps/shared/service.js';
import { BREAKER_HALF_OPEN_AFTER_MS } from '../../apps/shared/upstream/upstream-client.js';
import { serveService } from '../support/serve-service.js';
import { serveBirdImage, stubUpstream } from '../support/stand-ins.js';
import { scrapeSample } from '../support/telemetry.js';
import { json, thumbnailFor, unsplashSearch } from '../../scripts/stand-ins/stub-upstream.js';

const KEA = { name: 'Kea', description: 'An alpine parrot.' };

/** bird on a one-bird collection, in front of the real birdImage, in front of an Unsplash down. */
async function startBoth() {
  const facts = await stubUpstream(json([KEA]));
  const { birdImage, unsplash } = await serveBirdImage(json({}, { status: 503 }));
  const bird = await serveService(birdService, {
    env: { BIRD_FACTS_URL: facts.url, BIRD_IMAGE_URL: birdImage.url },
  });
  return { bird, birdImage, unsplash };
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
    const { birdImage, unsplash } = await startBoth();
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
      const { bird, birdImage, unsplash } = await startBoth();
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
