import { describe, expect, it } from 'vitest';
import { httpUrl } from '../../apps/shared/valid-url.js';

describe('httpUrl', () => {
  it.each([
    'https://images.example/kea.jpg',
    'http://bird-image',
    'https://a.example/x?w=200&q=80',
  ])('accepts %s as it is', (url) => {
    expect(httpUrl(url)).toBe(url);
  });

  it.each([
    ['a newline-terminated URL', 'https://images.example/kea.jpg\n'],
    ['a padded URL', ' https://images.example/kea.jpg'],
    ['a tab inside', 'https://images.example/ke\ta.jpg'],
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
