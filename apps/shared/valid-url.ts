import { hasControlCharacter } from './text-safety.js';

/**
 * If `value` is a string holding an absolute `http://` or `https://` URL and nothing else, that
 * URL as the WHATWG URL standard serializes it (`new URL(value).href`); `undefined` otherwise.
 * The serialization, not the text received: `https:host/x`, `HTTPS://host/x` or
 * `https://host\evil.example/x` are read differently by other URL parsers, and a client must
 * see the host this one saw.
 */
export function httpUrl(value: unknown): string | undefined {
  // White space and control characters (C0, DEL and C1): URL parsing forgives them, but a URL
  // passed on with one is exactly the padded or newline-terminated answer never to give.
  if (
    typeof value !== 'string' ||
    hasControlCharacter(value, { whiteSpace: true }) ||
    !URL.canParse(value)
  ) {
    return undefined;
  }
  const url = new URL(value);
  return /^https?:$/.test(url.protocol) ? url.href : undefined;
}
