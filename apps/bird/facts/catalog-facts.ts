import catalog from './catalog.json' with { type: 'json' };
import { pick, usableFacts, type BirdFact, type FactsSource } from './bird-fact.js';

/**
 * The embedded catalog: the default facts source, so bird works with no network at all.
 * Never rejects.
 */
export class CatalogFacts implements FactsSource {
  readonly #facts: readonly BirdFact[];

  /** @param random a `Math.random`-like function; tests pass a fixed one. */
  constructor(
    entries: readonly unknown[] = catalog,
    private readonly random: () => number = Math.random,
  ) {
    this.#facts = usableFacts(entries);
    if (this.#facts.length === 0) throw new Error('CatalogFacts: the catalog holds no usable bird');
  }

  randomFact(): Promise<BirdFact> {
    return Promise.resolve(pick(this.#facts, this.random));
  }
}
