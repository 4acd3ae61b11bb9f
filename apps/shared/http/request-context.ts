import { randomUUID } from 'node:crypto';
import type { ParameterizedContext } from 'koa';

/** The header that carries a request's id in and out, and on to the services we call. */
export const REQUEST_ID_HEADER = 'x-request-id';

// Ids come from clients: accept only what is safe to echo in a header and a log line.
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/** What the request pipeline records first of every request, in `ctx.state`. */
export interface RequestState {
  /** The caller's `X-Request-Id` if it is sane, or a fresh UUID. */
  requestId: string;
  /** When the app first saw the request (`Date.now()`): deadlines count from here. */
  receivedAt: number;
}

/**
 * Records when the request arrived and which id it goes by: the caller's `X-Request-Id` if it
 * is sane, or a fresh one. The id is echoed in the response.
 */
export function recordRequestContext(ctx: ParameterizedContext<RequestState>): void {
  ctx.state.receivedAt = Date.now();
  // Node's request and response directly, rather than through Koa's `ctx.get` and `ctx.set`.
  const offered = ctx.req.headers[REQUEST_ID_HEADER];
  const requestId =
    typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  ctx.state.requestId = requestId;
  ctx.res.setHeader(REQUEST_ID_HEADER, requestId);
}
