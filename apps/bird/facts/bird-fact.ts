/** What the facts source knows about a bird. */
export interface BirdFact {
  readonly name: string;
  readonly description: string;
}

/** Where bird facts come from: the embedded catalog or a remote collection. */
export interface FactsSource {
  /**
   * A bird picked at random; rejects when the source cannot answer.
   * @param deadline when the answer is needed by, for a source that calls out (`Date.now()` time)
   */
  randomFact(deadline?: number): Promise<BirdFact>;
}

/** Longest name kept: anything longer is not a bird's common name (and birdImage refuses it). */
export const MAX_NAME_LENGTH = 100;

/**
 * `item` as a bird, if it is one: an object whose `name` is a string of 1 to
 * {@link MAX_NAME_LENGTH} characters once trimmed. Extra fields are ignored; a description that
 * is missing or not a string becomes empty, since the name alone still makes a bird.
 */
export function usableFact(item: unknown): BirdFact | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { name, description } = item as Record<string, unknown>;
  const trimmedName = typeof name === 'string' ? name.trim() : '';
  if (trimmedName.length === 0 || trimmedName.length > MAX_NAME_LENGTH) return undefined;
  return {
    name: trimmedName,
    description: typeof description === 'string' ? description.trim() : '',
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
