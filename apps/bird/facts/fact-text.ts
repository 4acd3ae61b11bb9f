/** Longest name kept, in characters: anything longer is not a bird's common name (and birdImage refuses it). */
export const MAX_NAME_LENGTH = 100;

/**
 * Longest description kept, in characters: a few sentences, with room to spare. A longer one is
 * cut at a word, so one hostile item cannot put a megabyte into every answer.
 */
export const MAX_DESCRIPTION_LENGTH = 1_000;

// C0 and C1 controls and DEL: nothing a bird's text needs, everything a terminal or log
// injection does. Whitespace controls (tab, newline) become spaces with the rest of the runs.
// eslint-disable-next-line no-control-regex
const CONTROLS_AND_SPACE_RUNS = /[\s\u0000-\u001f\u007f-\u009f]+/g;

/** `text` on one line: control characters and runs of white space become one space, trimmed. */
export function cleanText(text: string): string {
  return text.replace(CONTROLS_AND_SPACE_RUNS, ' ').trim();
}

/**
 * `text` cut to at most `maxCharacters` characters (code points, never half a surrogate pair),
 * at the last space when there is one, with an ellipsis when something was cut.
 */
export function truncate(text: string, maxCharacters: number): string {
  // Fewer UTF-16 units than the limit is fewer characters too: nothing to count.
  if (text.length <= maxCharacters) return text;
  const characters = Array.from(text.slice(0, 2 * maxCharacters));
  if (characters.length <= maxCharacters) return text;
  const cut = characters.slice(0, maxCharacters - 1).join('');
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > 0 ? cut.slice(0, atWord) : cut).trimEnd()}…`;
}
