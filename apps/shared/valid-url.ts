// Whitespace and control characters: URL parsing forgives them, but a URL passed on with one is
// exactly the padded or newline-terminated answer the services must never give.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\s\u0000-\u001f\u007f]/;

/**
 * `value` if it is a string holding an absolute `http://` or `https://` URL and nothing else;
 * `undefined` otherwise.
 */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || UNSAFE_CHARACTERS.test(value) || !URL.canParse(value)) {
    return undefined;
  }
  return /^https?:$/.test(new URL(value).protocol) ? value : undefined;
}
