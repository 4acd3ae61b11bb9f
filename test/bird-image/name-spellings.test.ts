import { beforeEach, describe, expect, it } from 'vitest';
import type { ServedApp } from '../../apps/shared/service.js';
import { unsplashSearch, type StubUpstream } from '../../scripts/stand-ins/stub-upstream.js';
import { serveBirdImage } from '../support/stand-ins.js';

// One name, one search: what a person would read as the same name is one cache entry, and
// what Unsplash is asked is that name in NFC, without zero-width characters.

let unsplash: StubUpstream;
let served: ServedApp;

beforeEach(async () => {
  // Not a test of time: a loaded machine must not turn a search into a fallback.
  const env = { UPSTREAM_TIMEOUT_MS: '10000' };
  ({ birdImage: served, unsplash } = await serveBirdImage(unsplashSearch(), { env }));
});

const imageFor = async (query: string) => {
  const response = await fetch(`${served.url}/${query}`);
  return { status: response.status, body: (await response.json()) as unknown };
};

/** The `query` Unsplash was asked for, per search made. */
const searchedFor = () =>
  unsplash.requests.map((request) => new URL(request.url, 'http://stub').searchParams.get('query'));

describe('birdImage: spellings of one name', () => {
  it('NFC and NFD spellings are one search and one cache entry, searched in NFC', async () => {
    const composed = await imageFor('?birdName=Caf%C3%A9'); // é, one code point
    const decomposed = await imageFor('?birdName=Cafe%CC%81'); // e + combining acute
    expect(decomposed).toEqual(composed);
    expect(searchedFor()).toEqual(['caf\u00e9']);
  });

  it.each([
    ['a zero-width space', 'Ka%E2%80%8Bka'],
    ['a zero-width joiner', 'Ka%E2%80%8Dka'],
    ['a zero-width non-joiner', 'Ka%E2%80%8Cka'],
    ['a word joiner', 'Ka%E2%81%A0ka'],
    ['a byte order mark (zero-width no-break space)', 'Ka%EF%BB%BFka'],
    ['a soft hyphen', 'Ka%C2%ADka'],
    ['a left-to-right mark', 'Ka%E2%80%8Eka'],
    ['a variation selector', 'Kaka%EF%B8%8F'],
  ])('a name with %s is the name without it', async (_case, spelled) => {
    const plain = await imageFor('?birdName=Kaka');
    const variant = await imageFor(`?birdName=${spelled}`);
    expect(variant).toEqual(plain);
    expect(searchedFor()).toEqual(['kaka']);
  });

  it.each([
    ['a tab at the start', '%09tab'],
    ['a newline at the end', 'tab%0A'],
    ['a carriage return at the end', 'Kea%0D'],
    ['a C1 control at the start', '%C2%85Kea'],
    ['a right-to-left override inside', 'K%E2%80%AEea'],
    ['a left-to-right embedding at the end', 'Kea%E2%80%AA'],
    ['a first-strong isolate inside', 'K%E2%81%A8ea'],
    ['a pop directional isolate at the start', '%E2%81%A9Kea'],
  ])('refuses %s with a 400, as one inside: none is trimmed away', async (_case, name) => {
    const answer = await imageFor(`?birdName=${name}`);
    expect(answer).toEqual({
      status: 400,
      body: { error: 'birdName must not contain control characters' },
    });
    expect(unsplash.requests).toHaveLength(0);
  });

  it('still trims spaces at either end', async () => {
    await imageFor('?birdName=Kea');
    await imageFor('?birdName=%20Kea%20');
    expect(searchedFor()).toEqual(['kea']);
  });
});
