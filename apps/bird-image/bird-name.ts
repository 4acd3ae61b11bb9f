import type { ParsedUrlQuery } from 'node:querystring';

/** Longest `birdName` accepted; real common names are far shorter. */
export const MAX_BIRD_NAME_LENGTH = 100;

// C0 controls, DEL and C1 controls: nothing a bird's name contains, everything a log injection needs.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The number of characters (Unicode code points) of `text`. */
export function characterCount(text: string): number {
  // Iterating a string walks code points; `length` counts UTF-16 units.
  return Array.from(text).length;
}

/** Why a request's `birdName` was refused; answered as a 400. */
export class BadBirdNameError extends Error {
  override readonly name = 'BadBirdNameError';
  readonly status = 400;
  readonly expose = true;
}

/**
 * The trimmed `birdName` of a query, `''` when it is absent or empty, or a
 * {@link BadBirdNameError} when it is repeated, too long or holds control characters.
 */
export function birdNameFrom(query: ParsedUrlQuery): string {
  const value = query.birdName;
  if (Array.isArray(value)) throw new BadBirdNameError('birdName must be given at most once');
  const name = (value ?? '').trim();
  // Characters (code points), not UTF-16 units: an emoji is one character, not two.
  if (characterCount(name) > MAX_BIRD_NAME_LENGTH) {
    throw new BadBirdNameError(`birdName must be at most ${MAX_BIRD_NAME_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(name)) {
    throw new BadBirdNameError('birdName must not contain control characters');
  }
  return name;
}
