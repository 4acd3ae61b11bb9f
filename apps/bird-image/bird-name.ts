import type { ParsedUrlQuery } from 'node:querystring';
import {
  characterCount,
  hasControlCharacter,
  MAX_NAME_LENGTH,
  oneSpelling,
} from '../shared/text-safety.js';

/** Why a request's `birdName` was refused; answered as a 400. */
export class BadBirdNameError extends Error {
  override readonly name = 'BadBirdNameError';
  readonly status = 400;
  readonly expose = true;
}

/**
 * The `birdName` of a query in one spelling (see `oneSpelling`): NFC, without default-ignorable
 * characters, trimmed; `''` when it is absent or empty. A {@link BadBirdNameError} when it is
 * repeated, holds a control character or a bidirectional control anywhere (at either end too:
 * none is trimmed away), or is over {@link MAX_NAME_LENGTH} characters once in that spelling.
 */
export function birdNameFrom(query: ParsedUrlQuery): string {
  const value = query.birdName;
  if (Array.isArray(value)) throw new BadBirdNameError('birdName must be given at most once');
  // Checked before anything is trimmed: `trim` would quietly drop a tab or a newline at an end.
  if (hasControlCharacter(value ?? '', { bidiControls: true })) {
    throw new BadBirdNameError('birdName must not contain control characters');
  }
  const name = oneSpelling(value ?? '');
  // Characters (code points), not UTF-16 units: an emoji is one character, not two.
  if (characterCount(name) > MAX_NAME_LENGTH) {
    throw new BadBirdNameError(`birdName must be at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}
