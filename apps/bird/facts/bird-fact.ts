import { z } from 'zod';

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
 * One usable bird of a collection. Extra fields are ignored; a missing description becomes
 * empty, since the name alone still makes a bird.
 */
export const birdFactSchema = z.object({
  name: z.string().trim().min(1).max(MAX_NAME_LENGTH),
  description: z.string().trim().catch(''),
});

/** The usable birds of `items`; the rest are skipped. */
export function usableFacts(items: readonly unknown[]): BirdFact[] {
  return items.flatMap((item) => {
    const parsed = birdFactSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** One element of `items`, picked with `random` (a `Math.random`-like function). */
export function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick: no items to pick from');
  return item;
}
