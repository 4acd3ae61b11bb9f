/**
 * The one place that knows which characters text from outside may not hold, how such text is
 * cleaned and measured, and how long a bird's name may be. Callers: birdImage's `birdName`,
 * bird's facts, the alt text and credits of photos, and every URL passed on. `npm run lint`
 * refuses a control-character pattern anywhere else in apps/ (see eslint.config.js).
 */

/**
 * Longest bird name, in characters (code points); real common names are far shorter. birdImage
 * refuses a longer `birdName` with a 400, and bird skips a facts item with a longer name: one
 * limit on both sides of the call bird makes with that name.
 */
export const MAX_NAME_LENGTH = 100;

// C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F): nothing a name, a
// caption or a URL holds, everything a terminal or log injection needs.
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f';

// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
// reorder how the text around them reads in a log or a page ("Trojan Source").
const BIDI_CONTROLS = '\\u202a-\\u202e\\u2066-\\u2069';

// White space of every kind `\s` knows: tab, newline, the no-break space, U+2028, the BOM…
const WHITE_SPACE = '\\s';

/** Which characters besides the controls {@link hasControlCharacter} looks for. */
export interface ControlCharacterOptions {
  /**
   * Also the bidirectional controls U+202A–U+202E and U+2066–U+2069: for a name a request
   * gives, which is logged and searched for as it is.
   * @default false
   */
  readonly bidiControls?: boolean;
  /**
   * Also white space of any kind (`\s`): for a URL, which URL parsing would quietly trim or
   * re-encode, and which must be passed on exactly as checked.
   * @default false
   */
  readonly whiteSpace?: boolean;
}

// One pattern per combination of options, compiled on first use.
const patterns = new Map<string, RegExp>();

function controlPattern({ bidiControls = false, whiteSpace = false }: ControlCharacterOptions) {
  const characters = `${CONTROLS}${bidiControls ? BIDI_CONTROLS : ''}${whiteSpace ? WHITE_SPACE : ''}`;
  let pattern = patterns.get(characters);
  if (pattern === undefined) {
    pattern = new RegExp(`[${characters}]`);
    patterns.set(characters, pattern);
  }
  return pattern;
}

/**
 * Whether `text` holds a control character: C0 (U+0000–U+001F, tab and newline included), DEL
 * (U+007F) or C1 (U+0080–U+009F), anywhere, at either end too; and, as `options` ask, a
 * bidirectional control or white space.
 *
 * @example
 * hasControlCharacter('Kea\u0085'); // true
 * hasControlCharacter('Kea\u202e', { bidiControls: true }); // true
 * hasControlCharacter('https://a.example/ x', { whiteSpace: true }); // true
 */
export function hasControlCharacter(text: string, options: ControlCharacterOptions = {}): boolean {
  return controlPattern(options).test(text);
}

const CONTROLS_AND_SPACE_RUNS = new RegExp(`[${WHITE_SPACE}${CONTROLS}]+`, 'g');

/**
 * `text` on one line: each run of control characters and white space becomes one space, and the
 * ends are trimmed. For text bird shows rather than refuses (a facts item's name and description).
 */
export function cleanText(text: string): string {
  return text.replace(CONTROLS_AND_SPACE_RUNS, ' ').trim();
}

// Default-ignorable code points (zero-width spaces and joiners, the soft hyphen, LRM and RLM,
// variation selectors, the BOM…): invisible, so a name with one reads as the name without it.
const IGNORABLE_CHARACTERS = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * `text` in one spelling: NFC, without default-ignorable code points, trimmed, so that what a
 * person reads as the same name is one search and one cache entry. Control characters are not
 * touched: check for them first (see {@link hasControlCharacter}), since `trim` would quietly
 * drop a tab or a newline at an end.
 */
export function oneSpelling(text: string): string {
  return text.normalize('NFC').replace(IGNORABLE_CHARACTERS, '').trim();
}

/** The number of characters (Unicode code points) of `text`: an emoji is one, not two. */
export function characterCount(text: string): number {
  // Iterating a string walks code points; `length` counts UTF-16 units.
  return Array.from(text).length;
}

/**
 * `text` cut to at most `maxCharacters` characters (code points, never half a surrogate pair),
 * at the last space when there is one, with an ellipsis when something was cut.
 */
export function truncate(text: string, maxCharacters: number): string {
  // Fewer UTF-16 units than the limit is fewer characters too: nothing to count.
  if (text.length <= maxCharacters) return text;
  // One character more than the limit takes at most twice as many UTF-16 units: that much of the
  // text tells whether it is over the limit without walking all of it.
  const characters = Array.from(text.slice(0, 2 * (maxCharacters + 1)));
  if (characters.length <= maxCharacters) return text;
  const cut = characters.slice(0, maxCharacters - 1).join('');
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > 0 ? cut.slice(0, atWord) : cut).trimEnd()}…`;
}
