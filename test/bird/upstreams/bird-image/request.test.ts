import { describe, expect, it } from 'vitest';
import { photoRequest } from '../../../../apps/bird/upstreams/bird-image/request.js';

describe('the request to birdImage', () => {
  it('asks for the name, passes the request id on, and prefers the photo object', () => {
    expect(photoRequest('http://bird-image:8081', 'Kea', { requestId: 'r-1' })).toEqual({
      url: 'http://bird-image:8081/',
      searchParams: { birdName: 'Kea' },
      headers: {
        'x-request-id': 'r-1',
        accept: 'application/vnd.aviary.photo+json, application/json;q=0.5',
      },
    });
  });
});
