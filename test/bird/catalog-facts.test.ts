import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_DESCRIPTION_LENGTH,
  usableFact,
  type BirdFact,
} from '../../apps/bird/facts/bird-fact.js';
import { CatalogFacts } from '../../apps/bird/facts/catalog-facts.js';
import catalog from '../../apps/bird/facts/catalog.json' with { type: 'json' };
import { MAX_NAME_LENGTH } from '../../apps/shared/text-safety.js';

describe('the embedded catalog', () => {
  // Every bird CatalogFacts answers with, one draw per catalog entry: the random function walks
  // the entries in order, so a skipped entry shows as one bird drawn twice.
  let facts: BirdFact[];
  beforeAll(async () => {
    let draw = 0;
    const walk = () => (draw++ + 0.5) / catalog.length;
    const source = new CatalogFacts(undefined, walk);
    facts = await Promise.all(catalog.map(() => source.randomFact()));
  });

  it('holds at least 50 birds, every entry usable', () => {
    expect(facts.length).toBeGreaterThanOrEqual(50);
    expect(facts.map((fact) => fact.name)).toEqual(catalog.map((entry) => entry.name));
  });

  it('names each species once', () => {
    const names = facts.map((fact) => fact.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('describes each bird in one to three sentences of plain text', () => {
    for (const { name, description } of facts) {
      expect(name, name).toMatch(/^[A-Za-z][A-Za-z' -]+$/);
      expect(description.length, name).toBeGreaterThanOrEqual(40);
      // eslint-disable-next-line no-control-regex
      expect(description, name).not.toMatch(/[\u0000-\u001f<>]|https?:/);
      const sentences = description.split(/[.!?](?:\s|$)/).filter((part) => part.trim() !== '');
      expect(sentences.length, name).toBeGreaterThanOrEqual(1);
      expect(sentences.length, name).toBeLessThanOrEqual(3);
    }
  });
});

describe('CatalogFacts', () => {
  const entries = [
    { name: 'Kea', description: 'An alpine parrot.' },
    { name: 'Kakapo', description: 'A flightless parrot.' },
    { name: '', description: 'Skipped.' },
  ];

  it('picks the bird the random function points at', async () => {
    expect((await new CatalogFacts(entries, () => 0).randomFact()).name).toBe('Kea');
    expect((await new CatalogFacts(entries, () => 0.99).randomFact()).name).toBe('Kakapo');
  });

  it('refuses a catalog without a usable bird', () => {
    expect(() => new CatalogFacts([{ name: '' }])).toThrowError(/no usable bird/);
  });
});

describe('usableFact', () => {
  it('keeps the name and description, trimmed, and nothing else', () => {
    expect(usableFact({ id: 7, name: '  Kea ', description: ' An alpine parrot. ', x: 1 })).toEqual(
      {
        name: 'Kea',
        description: 'An alpine parrot.',
      },
    );
  });

  it('makes a missing or non-string description empty', () => {
    expect(usableFact({ name: 'Kea' })).toEqual({ name: 'Kea', description: '' });
    expect(usableFact({ name: 'Kea', description: 42 })).toEqual({ name: 'Kea', description: '' });
  });

  it.each([
    ['no name', { description: 'x' }],
    ['a blank name', { name: '   ' }],
    ['a name that is not a string', { name: 42 }],
    ['a name over 100 characters', { name: 'K'.repeat(MAX_NAME_LENGTH + 1) }],
    ['null', null],
    ['a string', 'Kea'],
  ])('skips an item with %s', (_case, item) => {
    expect(usableFact(item)).toBeUndefined();
  });

  it('cuts a description over 1,000 characters, however many UTF-16 units each takes', () => {
    for (const character of ['a', '🐦']) {
      const { description } = usableFact({ name: 'Kea', description: character.repeat(5_000) })!;
      expect(Array.from(description), character).toHaveLength(MAX_DESCRIPTION_LENGTH);
      expect(description.endsWith('…'), character).toBe(true);
    }
  });

  it('accepts a name of exactly 100 characters', () => {
    expect(usableFact({ name: 'K'.repeat(MAX_NAME_LENGTH) })?.name).toHaveLength(MAX_NAME_LENGTH);
  });
});
