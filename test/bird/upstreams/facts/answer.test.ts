import { describe, expect, it } from 'vitest';
import { readCollection } from '../../../../apps/bird/upstreams/facts/answer.js';
import { MalformedResponseError } from '../../../../apps/shared/upstream/upstream-client.js';

describe("readCollection (the facts source's answer)", () => {
  it('keeps the usable birds of the array, and only what a bird is', () => {
    const body = [
      { id: 1, name: 'Kea', description: 'An alpine parrot.', extra: true },
      { id: 2, name: '' },
      'not a bird',
      { id: 5, name: 'Kakapo' },
    ];
    expect(readCollection(body)).toEqual({
      facts: [
        { name: 'Kea', description: 'An alpine parrot.' },
        { name: 'Kakapo', description: '' },
      ],
    });
  });

  it.each([
    ['an object', { birds: [{ name: 'Kea' }] }, 'birds collection is not an array'],
    [
      'an array without a usable bird',
      [{ name: '' }, { id: 3 }],
      'birds collection has no usable bird',
    ],
  ])('throws a MalformedResponseError for %s', (_case, body, message) => {
    expect(() => readCollection(body)).toThrowError(new MalformedResponseError(message));
  });
});
