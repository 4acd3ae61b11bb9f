import { characterCount, cleanText, MAX_NAME_LENGTH, truncate } from '../../shared/text-safety.js';
import type { UpstreamCall } from '../../shared/upstream/upstream-lookup.js';

/**
 * Longest description kept, in characters: a few sentences, with room to spare. A longer one is
 * cut at a word, so one hostile item cannot put a megabyte into every answer.
 */
export const MAX_DESCRIPTION_LENGTH = 1_000;

/** What the facts source knows about a bird. */
export interface BirdFact {
  readonly name: string;
  readonly description: string;
}

/** Where bird facts come from: the embedded catalog or a remote collection. */
export interface FactsSource {
  /**
   * A bird picked at random; rejects when the source cannot answer.
   * @param call the request's id and deadline, for a source that calls out
   */
  randomFact(call?: UpstreamCall): Promise<BirdFact>;
}

/**
 * `item` as a bird, if it is one: an object whose `name` is a string of 1 to
 * {@link MAX_NAME_LENGTH} characters once cleaned (control characters and runs of white space
 * made one space, see `cleanText`). Extra fields are ignored; a description that is missing or
 * not a string becomes empty, since the name alone still makes a bird; one that is longer than
 * {@link MAX_DESCRIPTION_LENGTH} characters is cut.
 */
export function usableFact(item: unknown): BirdFact | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { name, description } = item as Record<string, unknown>;
  // Checked before cleaning: a megabyte "name" is refused without being copied.
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH * 4) return undefined;
  const cleanName = cleanText(name);
  const length = characterCount(cleanName);
  if (length === 0 || length > MAX_NAME_LENGTH) return undefined;
  return {
    name: cleanName,
    description:
      typeof description === 'string'
        ? truncate(cleanText(description), MAX_DESCRIPTION_LENGTH)
        : '',
  };
}

/** The usable birds of `items`; the rest are skipped. */
export function usableFacts(items: readonly unknown[]): BirdFact[] {
  return items.flatMap((item) => usableFact(item) ?? []);
}

/** One element of `items`, picked with `random` (a `Math.random`-like function). */
export function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick: no items to pick from');
  return item;
}
