import type Koa from 'koa';
import type { Context, ParameterizedContext } from 'koa';
import { STATUS_CODES } from 'node:http';
import type { Logger } from '../logger.js';
import type { RequestState } from './request-context.js';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
}

// Every failure becomes a JSON `{ error }` answer: the request pipeline hands what was thrown to
// answerError, and gives a status-only answer its body with giveErrorBody.

/**
 * Answers what was thrown while answering: a 4xx keeps its message (it is about the caller's
 * request); anything else is logged with the request id and answered with a bare
 * `internal error`, so no stack trace or internal detail leaves the process.
 */
export function answerError(
  ctx: ParameterizedContext<RequestState>,
  error: unknown,
  logger: Logger,
): void {
  const status = httpStatusOf(error);
  if (status !== undefined && status < 500) {
    ctx.status = status;
    ctx.body = { error: (error as Error).message } satisfies ErrorBody;
    return;
  }
  logger.error({ err: error, requestId: ctx.state.requestId }, 'unhandled error');
  ctx.status = 500;
  ctx.body = { error: 'internal error' } satisfies ErrorBody;
}

/** Gives a status-only error answer (404 from no route, 405 from `allowedMethods`) a body. */
export function giveErrorBody(ctx: Context): void {
  if (ctx.status >= 400 && ctx.body == null) {
    const { status } = ctx;
    ctx.body = { error: (STATUS_CODES[status] ?? 'error').toLowerCase() } satisfies ErrorBody;
    // Koa turns an implicit 404 into 200 when a body is set; keep the status we had.
    ctx.status = status;
  }
}

// Koa's ctx.throw and http-errors mark client errors with `status` and `expose`.
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && expose === true ? status : undefined;
}

/**
 * Turns the router's `501` for a method it serves on no route (`TRACE`, `PROPFIND`, `LINK`…)
 * into what docs/contract.md#methods-and-paths states: `405` with `Allow` on a path that exists, `404` on one that does not.
 * A 501 would count as a server error and feed the error-ratio alert.
 */
export function answerUnservedMethod(ctx: Context): void {
  if (ctx.status !== 501 || ctx.body != null) return;
  if (ctx.response.get('allow') === '') {
    ctx.remove('allow');
    ctx.status = 404;
  } else {
    ctx.status = 405;
  }
}

/**
 * Logs, as one JSON line, what Koa reports on its `error` event (a response stream that failed,
 * a client gone mid-answer), in place of Koa's default printer: multi-line stack traces on
 * stderr that no log pipeline can parse.
 */
export function logAppErrors(app: Koa<RequestState>, logger: Logger): void {
  app.on('error', (error: unknown, ctx?: { state?: Partial<RequestState> }) => {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    logger.warn(
      { code, reason: String(message), requestId: ctx?.state?.requestId },
      'response failed',
    );
  });
}
