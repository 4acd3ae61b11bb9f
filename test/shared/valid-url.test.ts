import { describe, expect, it } from 'vitest';
import { httpUrl } from '../../apps/shared/valid-url.js';

describe('httpUrl', () => {
  it.each([
    'https://images.example/kea.jpg',
    'http://bird-image/',
    'https://a.example/x?w=200&q=80',
  ])('accepts %s as it is', (url) => {
    expect(httpUrl(url)).toBe(url);
  });

  it.each([
    ['no slash after the scheme', 'https:images.example/kea.jpg', 'https://images.example/kea.jpg'],
    [
      'an upper-case scheme and host',
      'HTTPS://Images.Example/kea.jpg',
      'https://images.example/kea.jpg',
    ],
    [
      'a backslash where the path starts',
      'https://images.example\\evil.example/x',
      'https://images.example/evil.example/x',
    ],
    ['no path', 'http://bird-image', 'http://bird-image/'],
  ])('answers a URL with %s as the URL standard serializes it', (_case, received, serialized) => {
    expect(httpUrl(received)).toBe(serialized);
  });

  it.each([
    ['a newline-terminated URL', 'https://images.example/kea.jpg\n'],
    ['a padded URL', ' https://images.example/kea.jpg'],
    ['a tab inside', 'https://images.example/ke\ta.jpg'],
    ['a C1 control (NEL) inside', 'https://images.example/ke\u0085a.jpg'],
    ['a C1 control (CSI) at the end', 'https://images.example/kea.jpg\u009b'],
    ['another scheme', 'ftp://images.example/kea.jpg'],
    ['a relative path', '/kea.jpg'],
    ['no URL at all', 'not a url'],
    ['an empty string', ''],
    ['a number', 42],
    ['an object', { url: 'https://images.example/kea.jpg' }],
    ['nothing', undefined],
  ])('refuses %s', (_case, value) => {
    expect(httpUrl(value)).toBeUndefined();
  });
});
