import { describe, expect, it } from 'vitest';
import { MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import { DEFAULT_IMAGE_ALT, PHOTO_MEDIA_TYPE } from '../../apps/shared/photo.js';
import type { ServedApp } from '../../apps/shared/service.js';
import type { Behaviour } from '../../scripts/stand-ins/stub-upstream.js';
import { serveBirdImage } from '../support/stand-ins.js';
import { unsplashAnswer } from '../support/unsplash-answer.js';

// On one of the hosts birdImage accepts photos from by default (UNSPLASH_IMAGE_HOSTS).
const PHOTO = 'https://images.unsplash.com/kea.jpg';
const REFERRAL = 'utm_source=aviary&utm_medium=referral';
async function startBirdImage(unsplashBehaviour: Behaviour, env: Record<string, string> = {}) {
  return (await serveBirdImage(unsplashBehaviour, { env })).birdImage;
}

async function get(served: ServedApp, path: string, accept?: string) {
  const response = await fetch(`${served.url}${path}`, {
    headers: accept === undefined ? {} : { accept },
  });
  return { response, body: (await response.json()) as unknown };
}

describe('birdImage GET /?birdName= as a photo (Accept: application/vnd.aviary.photo+json)', () => {
  it('answers the photo with its alt text and its Unsplash credit, linked with referral', async () => {
    const served = await startBirdImage(unsplashAnswer(PHOTO));
    const { response, body } = await get(served, '/?birdName=Kea', PHOTO_MEDIA_TYPE);
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.aviary\.photo\+json/);
    expect(body).toEqual({
      url: PHOTO,
      alt: 'A puffin on a cliff top',
      credit: {
        name: 'Ada Lovelace',
        url: `https://unsplash.com/@ada?${REFERRAL}`,
        source: 'Unsplash',
        sourceUrl: `https://unsplash.com/?${REFERRAL}`,
      },
    });
  });

  it('still answers the JSON string to every client that does not ask for it', async () => {
    const served = await startBirdImage(unsplashAnswer(PHOTO));
    for (const accept of [undefined, '*/*', 'application/json', 'text/html', 'image/png']) {
      const { response, body } = await get(served, '/?birdName=Kea', accept);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(body).toBe(PHOTO);
    }
  });

  it.each([
    ['a profile off unsplash.com', { profileUrl: 'https://evil.example/@ada' }],
    ['a javascript: profile', { profileUrl: 'javascript:alert(1)' }],
    ['a profile with credentials', { profileUrl: 'https://me:pw@unsplash.com/@ada' }],
    ['a name with control characters', { userName: 'Ada\u0000Lovelace' }],
    ['an empty name', { userName: '  ' }],
    ['a name of 301 characters', { userName: 'a'.repeat(301) }],
  ])('drops the credit, keeps the photo, for %s', async (_case, details) => {
    const served = await startBirdImage(unsplashAnswer(PHOTO, details));
    const { body } = await get(served, '/?birdName=Kea', PHOTO_MEDIA_TYPE);
    expect(body).toEqual({ url: PHOTO, alt: 'A puffin on a cliff top' });
  });

  it('answers the default image, with its alt text and no credit, when Unsplash has no http(s) photo', async () => {
    const served = await startBirdImage(unsplashAnswer('javascript:alert(1)'));
    const { body } = await get(served, '/?birdName=Kea', PHOTO_MEDIA_TYPE);
    expect(body).toEqual({ url: MISSINGNO_IMAGE_URL, alt: DEFAULT_IMAGE_ALT });
  });
});

describe('birdImage headers', () => {
  it('lets clients reuse an answer for five minutes, per Accept, and never sniff it', async () => {
    const served = await startBirdImage(unsplashAnswer(PHOTO));
    const { response } = await get(served, '/?birdName=Kea');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('vary')).toMatch(/accept/i);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    ['a 400', '/?birdName=a&birdName=b', 400],
    ['a 404', '/nope', 404],
    ['a health check', '/healthz', 200],
  ])('keeps %s out of every cache', async (_case, path, status) => {
    const served = await startBirdImage(unsplashAnswer(PHOTO));
    const response = await fetch(`${served.url}${path}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
