import { HTTPError, RequestError } from 'got';

/** The answer's body passed the client's size limit: the call was cut off. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(maxBytes: number) {
    super(`body over ${maxBytes} bytes`);
  }
}

/** The upstream answered a redirect, which the client never follows. */
export class RedirectNotFollowedError extends Error {
  override readonly name = 'RedirectNotFollowedError';
  constructor(status: number) {
    super(`redirect (${status}) not followed`);
  }
}

// Network errors by code, in words; any other code is "network error (CODE)".
const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EPIPE: 'connection closed while sending',
};

/**
 * The cause of a failed call in a few words, for the log line of its fallback: the failure
 * itself, never the request (got's errors carry its options, headers and credentials included).
 * `timedOut` is whether the call ran out of time, and `budgetMs` the time it had.
 *
 * - a body over the limit: `body over N bytes` (a decompression bomb too: the limit counts
 *   decompressed bytes)
 * - a redirect: `redirect (302) not followed`
 * - any other status that is not 2xx: `status 503`
 * - out of time: `no answer within N ms`
 * - a network error: `connection refused (ECONNREFUSED)`, `connection reset (ECONNRESET)`,
 *   `host not found (ENOTFOUND)`, otherwise `network error (CODE)`
 * - anything else (a body that is not JSON, a shape the caller refused, the breaker, the
 *   deadline): the error's own message, written by this project
 */
export function failureReason(error: unknown, timedOut: boolean, budgetMs: number): string {
  if (timedOut) return `no answer within ${Math.round(budgetMs)} ms`;
  if (error instanceof HTTPError) return `status ${error.response.statusCode}`;
  if (error instanceof RequestError && error.code !== undefined && error.code !== '') {
    // got's own errors for what it refused to do carry an ERR_ code: its message says more.
    if (error.code.startsWith('ERR_')) return error.message;
    return `${NETWORK_ERRORS[error.code] ?? 'network error'} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
