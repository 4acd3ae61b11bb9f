import type { Middleware } from 'koa';

/**
 * Headers every answer carries. `X-Content-Type-Options: nosniff`, so a browser never reads a
 * JSON or SVG answer as something else; `Cache-Control: no-store` unless the route chose its
 * own, and always on an error, so no cache keeps a failure or a health answer.
 */
export function responseHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      await next();
    } finally {
      if (ctx.status >= 400 || !ctx.response.get('Cache-Control')) {
        ctx.set('Cache-Control', 'no-store');
      }
    }
  };
}
