import type { Context } from 'koa';

/** A query that is not valid percent-encoded UTF-8; answered as a 400. */
export class MalformedQueryError extends Error {
  override readonly name = 'MalformedQueryError';
  readonly status = 400;
  readonly expose = true;
  constructor() {
    super('the query must be valid percent-encoded UTF-8');
  }
}

/** Whether every name and value of `querystring` decodes as percent-encoded UTF-8. */
export function isWellEncodedQuery(querystring: string): boolean {
  try {
    // Form encoding: `+` is a space. decodeURIComponent throws a URIError on `%zz`, a cut-off
    // `%E0%A4%A` or bytes that are not UTF-8 (`%FF%FE`).
    decodeURIComponent(querystring.replaceAll('+', ' '));
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses, with a 400 ({@link MalformedQueryError}), a query that is not valid percent-encoded
 * UTF-8. Koa's (Node's) query parser forgives one, handing the app U+FFFD or a literal `%` that
 * would then be passed on.
 */
export function refuseMalformedQuery(ctx: Context): void {
  const { querystring } = ctx;
  if (querystring !== '' && !isWellEncodedQuery(querystring)) throw new MalformedQueryError();
}
