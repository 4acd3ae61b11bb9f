import { MalformedResponseError } from '../../../shared/upstream/upstream-client.js';
import { usableFacts, type BirdFact } from '../../facts/bird-fact.js';

/** The usable birds of a collection. */
export interface Collection {
  readonly facts: readonly BirdFact[];
}

/**
 * The facts source's answer, a JSON array of birds in the shape of the public birds test API,
 * as its usable birds (see `usableFact`). Throws a `MalformedResponseError` when it is not an
 * array or holds no usable bird.
 */
export function readCollection(body: unknown): Collection {
  if (!Array.isArray(body)) throw new MalformedResponseError('birds collection is not an array');
  const facts = usableFacts(body);
  if (facts.length === 0) throw new MalformedResponseError('birds collection has no usable bird');
  return { facts };
}
