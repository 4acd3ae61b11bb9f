import { describe, expect, it } from 'vitest';
import { readPhotoAnswer } from '../../../../apps/bird/upstreams/bird-image/answer.js';
import { PHOTO_MEDIA_TYPE } from '../../../../apps/shared/photo.js';
import { MalformedResponseError } from '../../../../apps/shared/upstream/upstream-client.js';

const URL = 'https://images.example/kea.jpg';
const JSON_TYPE = 'application/json; charset=utf-8';

describe("readPhotoAnswer (birdImage's answer)", () => {
  it('reads the URL of a JSON string, kept for the whole TTL', () => {
    expect(readPhotoAnswer(URL, JSON_TYPE, { 'cache-control': 'public, max-age=300' })).toEqual({
      photo: { url: URL },
      briefly: false,
    });
  });

  it('reads a photo object under the photo media type, with its alt text', () => {
    expect(
      readPhotoAnswer({ url: URL, alt: 'A kea' }, `${PHOTO_MEDIA_TYPE}; charset=utf-8`, {}),
    ).toEqual({ photo: { url: URL, alt: 'A kea' }, briefly: false });
  });

  it('keeps an answer marked no-store briefly: the default image', () => {
    expect(readPhotoAnswer(URL, JSON_TYPE, { 'cache-control': 'No-Store' }).briefly).toBe(true);
  });

  it.each([
    ['a photo object sent as plain JSON', { url: URL }, JSON_TYPE],
    ['a string that is not a URL', 'not a url', JSON_TYPE],
    ['a URL that is not http(s)', 'javascript:alert(1)', JSON_TYPE],
    ['a URL string under the photo media type', URL, PHOTO_MEDIA_TYPE],
  ])('throws a MalformedResponseError for %s', (_case, body, contentType) => {
    expect(() => readPhotoAnswer(body, contentType, {})).toThrowError(
      new MalformedResponseError('birdImage did not answer a photo'),
    );
  });
});
