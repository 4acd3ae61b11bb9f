import { beforeEach, describe, expect, it } from 'vitest';
import { PHOTO_MEDIA_TYPE } from '../../apps/shared/photo.js';
import type { ServedApp } from '../../apps/shared/service.js';
import { json, type StubUpstream } from '../../scripts/stand-ins/stub-upstream.js';
import { serveBirdImage } from '../support/stand-ins.js';

// A photo URL Unsplash sends is answered as the URL standard serializes it: a client whose URL
// parser reads the text received differently (`https:host`, a backslash) sees the same host.

let unsplash: StubUpstream;
let served: ServedApp;

beforeEach(async () => {
  // Not a test of time: a loaded machine must not turn a search into a fallback; each test sets
  // what the stand-in Unsplash answers.
  const env = { UPSTREAM_TIMEOUT_MS: '10000' };
  ({ birdImage: served, unsplash } = await serveBirdImage(json({}), { env }));
});

const answerWithThumbnail = (thumb: string) =>
  unsplash.behave(json({ total: 1, results: [{ id: 'p1', urls: { thumb } }] }));

describe('birdImage: an accepted photo URL', () => {
  it.each([
    [
      'no slash after the scheme',
      'https:images.unsplash.com/kea.jpg',
      'https://images.unsplash.com/kea.jpg',
    ],
    [
      'an upper-case scheme',
      'HTTPS://images.unsplash.com/kea.jpg',
      'https://images.unsplash.com/kea.jpg',
    ],
    [
      'an upper-case host',
      'https://IMAGES.unsplash.com/kea.jpg',
      'https://images.unsplash.com/kea.jpg',
    ],
    [
      'a backslash after the host',
      'https://images.unsplash.com\\evil.example/x',
      'https://images.unsplash.com/evil.example/x',
    ],
    [
      'quotes and angle brackets in the path',
      'https://images.unsplash.com/k"a<',
      'https://images.unsplash.com/k%22a%3C',
    ],
  ])('with %s is answered serialized, as a string and as a photo', async (_case, thumb, href) => {
    answerWithThumbnail(thumb);
    const asString = await fetch(`${served.url}/?birdName=Kea`);
    expect(await asString.json()).toBe(href);
    const asPhoto = await fetch(`${served.url}/?birdName=Kea`, {
      headers: { accept: PHOTO_MEDIA_TYPE },
    });
    expect(await asPhoto.json()).toMatchObject({ url: href });
  });
});
