import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

/** The header that carries a request's id in and out, and on to the services we call. */
export const REQUEST_ID_HEADER = 'x-request-id';

// Ids come from clients: accept only what is safe to echo in a header and a log line.
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/** State the request-id middleware adds to `ctx.state`. */
export interface RequestIdState {
  requestId: string;
}

/** Accepts the caller's `X-Request-Id` if it is sane, or makes one; echoes it in the response. */
export function requestId(): Middleware<RequestIdState> {
  return async (ctx, next) => {
    const offered = ctx.get(REQUEST_ID_HEADER);
    ctx.state.requestId = ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
    ctx.set(REQUEST_ID_HEADER, ctx.state.requestId);
    await next();
  };
}
