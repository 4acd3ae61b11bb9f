import { describe, expect, it } from 'vitest';
import {
  searchQuery,
  searchRequest,
} from '../../../../apps/bird-image/upstreams/unsplash/request.js';

describe('the Unsplash search request', () => {
  it.each([
    ['Bald Eagle', 'bald eagle'],
    ['  bald   EAGLE ', 'bald eagle'],
  ])('searches %j as %j, one cache entry for every spelling', (name, query) => {
    expect(searchQuery(name)).toBe(query);
  });

  it('asks for the first photo of the query under the API URL, with no key in it', () => {
    expect(searchRequest('https://api.example', 'kea')).toEqual({
      url: 'https://api.example/search/photos',
      searchParams: { query: 'kea', per_page: 1 },
    });
  });
});
