import { describe, expect, it } from 'vitest';
import { readSearchAnswer } from '../../../../apps/bird-image/upstreams/unsplash/answer.js';
import { UNSPLASH_IMAGE_HOSTS } from '../../../../apps/bird-image/upstreams/unsplash/image-url-policy.js';
import { MalformedResponseError } from '../../../../apps/shared/upstream/upstream-client.js';

const THUMB = 'https://images.unsplash.com/kea.jpg?w=200';
const REFERRAL = 'utm_source=aviary&utm_medium=referral';

/** A search answer whose first result has `result`'s fields. */
function answering(result: Record<string, unknown>) {
  return { total: 2, results: [result, { urls: { thumb: 'https://images.unsplash.com/2.jpg' } }] };
}

describe('readSearchAnswer (Unsplash)', () => {
  it('reads the thumbnail, alt text and credit of the first result', () => {
    const answer = readSearchAnswer(
      answering({
        urls: { thumb: THUMB },
        alt_description: '  A kea on a roof ',
        user: { name: 'Ada', links: { html: 'https://unsplash.com/@ada' } },
      }),
      UNSPLASH_IMAGE_HOSTS,
    );
    expect(answer.photo).toMatchObject({ url: THUMB, alt: 'A kea on a roof' });
    expect(answer.photo?.credit).toEqual({
      name: 'Ada',
      url: `https://unsplash.com/@ada?${REFERRAL}`,
      source: 'Unsplash',
      sourceUrl: `https://unsplash.com/?${REFERRAL}`,
    });
  });

  it.each([
    ['no user', {}],
    [
      'a profile off unsplash.com',
      { user: { name: 'Ada', links: { html: 'https://evil.example/@ada' } } },
    ],
    [
      'a name that is not text',
      { user: { name: 42, links: { html: 'https://unsplash.com/@ada' } } },
    ],
  ])('keeps the photo without alt text or credit for %s', (_case, fields) => {
    expect(
      readSearchAnswer(answering({ urls: { thumb: THUMB }, ...fields }), UNSPLASH_IMAGE_HOSTS),
    ).toEqual({
      photo: { url: THUMB },
    });
  });

  it('finds no photo in an answer without results', () => {
    expect(readSearchAnswer({ total: 0, results: [] }, UNSPLASH_IMAGE_HOSTS)).toEqual({
      photo: null,
    });
  });

  it('refuses a thumbnail off the image hosts: no photo, the reason and length, never the URL', () => {
    const thumb = 'https://evil.example/kea.jpg';
    const answer = readSearchAnswer(answering({ urls: { thumb } }), UNSPLASH_IMAGE_HOSTS);
    expect(answer).toEqual({
      photo: null,
      refusal: { reason: 'not on an allowed image host', length: thumb.length },
    });
  });

  it('takes the image hosts it is given', () => {
    const thumb = 'https://cdn.example/kea.jpg';
    expect(readSearchAnswer(answering({ urls: { thumb } }), ['cdn.example']).photo).toEqual({
      url: thumb,
    });
  });

  it.each([
    ['null', null],
    ['a string', 'results'],
    ['no results', { total: 1 }],
    ['results that are not an array', { results: { thumb: THUMB } }],
    ['a first result that is null', { results: [null] }],
    ['a first result without a thumbnail', { results: [{ urls: {} }] }],
    ['a thumbnail that is not a string', { results: [{ urls: { thumb: 7 } }] }],
  ])('throws a MalformedResponseError for %s', (_case, body) => {
    expect(() => readSearchAnswer(body, UNSPLASH_IMAGE_HOSTS)).toThrowError(
      new MalformedResponseError('unexpected Unsplash search answer'),
    );
  });
});
