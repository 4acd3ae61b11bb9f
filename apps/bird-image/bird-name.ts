import type { ParsedUrlQuery } from 'node:querystring';

/** Longest `birdName` accepted; real common names are far shorter. */
export const MAX_BIRD_NAME_LENGTH = 100;

// C0 controls, DEL and C1 controls: nothing a bird's name contains, everything a log injection
// needs. And the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
// which reorder how the text around them reads in a log or a page ("Trojan Source").
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// Default-ignorable code points (zero-width spaces and joiners, the soft hyphen, LRM and RLM,
// variation selectors, the BOM…): invisible, so a name with one reads as the name without it,
// and must be one search and one cache entry with it.
const IGNORABLE_CHARACTERS = /\p{Default_Ignorable_Code_Point}/gu;

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
 * The `birdName` of a query in one spelling: NFC, without default-ignorable characters, trimmed;
 * `''` when it is absent or empty. A {@link BadBirdNameError} when it is repeated, holds a control
 * character or a bidirectional control anywhere (at either end too: none is trimmed away), or is over
 * {@link MAX_BIRD_NAME_LENGTH} characters once in that spelling.
 */
export function birdNameFrom(query: ParsedUrlQuery): string {
  const value = query.birdName;
  if (Array.isArray(value)) throw new BadBirdNameError('birdName must be given at most once');
  // Checked before anything is trimmed: `trim` would quietly drop a tab or a newline at an end.
  if (CONTROL_CHARACTERS.test(value ?? '')) {
    throw new BadBirdNameError('birdName must not contain control characters');
  }
  const name = (value ?? '').normalize('NFC').replace(IGNORABLE_CHARACTERS, '').trim();
  // Characters (code points), not UTF-16 units: an emoji is one character, not two.
  if (characterCount(name) > MAX_BIRD_NAME_LENGTH) {
    throw new BadBirdNameError(`birdName must be at most ${MAX_BIRD_NAME_LENGTH} characters`);
  }
  return name;
}
