import type { Middleware } from 'koa';
import { STATUS_CODES } from 'node:http';
import type { Logger } from '../logger.js';
import type { RequestState } from './request-context.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
}

/**
 * Turns every failure into a JSON `{ error }` answer: a 4xx keeps its message (it is about the
 * caller's request); anything else is logged with the request id and answered with a bare
 * `internal error`, so no stack trace or internal detail leaves the process. Status-only answers
 * (404 from no route, 405/501 from `allowedMethods`) get a body too.
 */
export function jsonErrors(logger: Logger): Middleware<RequestState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = httpStatusOf(error);
      if (status !== undefined && status < 500) {
        ctx.status = status;
        ctx.body = { error: (error as Error).message } satisfies ErrorBody;
        return;
      }
      logger.error({ err: error, requestId: ctx.state.requestId }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'internal error' } satisfies ErrorBody;
      return;
    }
    if (ctx.status >= 400 && ctx.body == null) {
      const { status } = ctx;
      ctx.body = { error: (STATUS_CODES[status] ?? 'error').toLowerCase() } satisfies ErrorBody;
      // Koa turns an implicit 404 into 200 when a body is set; keep the status we had.
      ctx.status = status;
    }
  };
}

// Koa's ctx.throw and http-errors mark client errors with `status` and `expose`.
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && expose === true ? status : undefined;
}
