import { describe, expect, it } from 'vitest';
import { birdService } from '../../apps/bird/service.js';
import { PHOTO_MEDIA_TYPE } from '../../apps/shared/photo.js';
import { json, raw, type Behaviour } from '../../scripts/stand-ins/stub-upstream.js';
import { rawExchange } from '../support/raw-http.js';
import { serveService } from '../support/serve-service.js';
import { stubUpstream } from '../support/stand-ins.js';

const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PHOTO = 'https://images.example/kea.jpg';
const CREDIT = {
  name: 'Ada Lovelace',
  url: 'https://unsplash.com/@ada?utm_source=aviary&utm_medium=referral',
  source: 'Unsplash',
  sourceUrl: 'https://unsplash.com/?utm_source=aviary&utm_medium=referral',
};
/** bird in front of a stand-in birdImage that behaves as `birdImage`. */
async function startBird(birdImage: Behaviour) {
  const stub = await stubUpstream(birdImage);
  const bird = await serveService(birdService, {
    env: { BIRD_IMAGE_URL: stub.url, DEFAULT_IMAGE_URL: 'https://d.example/d.png' },
  });
  return { bird, stub };
}

/** Answers like a birdImage that knows the photo representation. */
function photoAnswer(body: unknown): Behaviour {
  return raw(JSON.stringify(body), { headers: { 'content-type': PHOTO_MEDIA_TYPE } });
}

describe('bird GET / negotiates its answer', () => {
  it('answers a browser with the HTML card, under a strict CSP, never cached', async () => {
    const { bird } = await startBird(photoAnswer({ url: PHOTO, alt: 'A kea', credit: CREDIT }));
    const response = await fetch(`${bird.url}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('vary')).toMatch(/accept/i);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    const page = await response.text();
    expect(page).toContain(`<img src="${PHOTO}" alt="A kea"`);
    expect(page).toContain(
      'Photo by <a href="https://unsplash.com/@ada?utm_source=aviary&amp;utm_medium=referral">Ada Lovelace</a>',
    );
  });

  it.each([
    ['no Accept', undefined],
    ['*/*, as curl sends', '*/*'],
    ['application/json', 'application/json'],
    ['JSON preferred over HTML', 'application/json, text/html;q=0.5'],
    ['a type bird has not got', 'image/png'],
  ])('answers the JSON bird, exactly as before, to %s', async (_case, accept) => {
    const { bird } = await startBird(photoAnswer({ url: PHOTO, alt: 'A kea', credit: CREDIT }));
    const response = await fetch(`${bird.url}/`, { headers: accept ? { accept } : {} });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('vary')).toMatch(/accept/i);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['name', 'description', 'image']);
    expect(body.image).toBe(PHOTO);
  });

  it('answers the JSON bird to a request without any Accept line (fetch always sends one)', async () => {
    const { bird } = await startBird(photoAnswer({ url: PHOTO, alt: 'A kea', credit: CREDIT }));
    const exchange = await rawExchange(bird.url, [
      `GET / HTTP/1.1\r\nHost: ${new URL(bird.url).host}\r\nConnection: close\r\n\r\n`,
    ]);
    expect(exchange.status).toBe(200);
    expect(exchange.text).toMatch(/^Content-Type: application\/json; charset=utf-8\r$/im);
    expect(exchange.text).toMatch(/^Vary: Accept\r$/im);
    expect(JSON.parse(exchange.body)).toMatchObject({ image: PHOTO });
  });
});

describe('bird asks birdImage for the photo with its credit', () => {
  it('prefers the photo representation, and still takes the plain URL string', async () => {
    const { bird, stub } = await startBird(json(PHOTO));
    const answer = (await (await fetch(`${bird.url}/`)).json()) as { image: string };
    expect(answer.image).toBe(PHOTO);
    expect(stub.requests[0]!.headers.accept).toBe(`${PHOTO_MEDIA_TYPE}, application/json;q=0.5`);
  });

  it.each([
    ['a javascript: URL', { url: 'javascript:alert(1)' }],
    ['no URL', { alt: 'A kea' }],
    ['a bare string', PHOTO],
  ])('answers the default image when the photo has %s', async (_case, body) => {
    const { bird } = await startBird(photoAnswer(body));
    const answer = (await (await fetch(`${bird.url}/`)).json()) as { image: string };
    expect(answer.image).toBe('https://d.example/d.png');
  });
});

describe('bird GET /placeholder.svg', () => {
  it('serves the card placeholder itself, cacheable, and inert when opened alone', async () => {
    const { bird } = await startBird(json(PHOTO));
    const response = await fetch(`${bird.url}/placeholder.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    const svg = await response.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|on\w+=|href/i);
  });
});
