import type { Context } from 'koa';

// Headers every answer carries. `X-Content-Type-Options: nosniff`, so a browser never reads a
// JSON or SVG answer as something else; `Cache-Control: no-store` unless the route chose its
// own, and always on an error, so no cache keeps a failure or a health answer.

/** Sets `X-Content-Type-Options: nosniff`, before anything answers. */
export function forbidSniffing(ctx: Context): void {
  // Node's response directly: nothing has been written yet, which Koa's `ctx.set` would check.
  ctx.res.setHeader('X-Content-Type-Options', 'nosniff');
}

/** Sets `Cache-Control: no-store` on an error or where the route chose none, once answered. */
export function settleCacheControl(ctx: Context): void {
  // Node's response directly: Koa's `ctx.response.get` copies every header to read one.
  const { res } = ctx;
  if (res.headersSent) return;
  if (ctx.status >= 400 || !res.getHeader('Cache-Control'))
    res.setHeader('Cache-Control', 'no-store');
}
