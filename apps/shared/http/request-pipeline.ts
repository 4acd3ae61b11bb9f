import type { Middleware } from 'koa';
import type { Faults } from '../faults.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { answerError, answerUnservedMethod, giveErrorBody } from './errors.js';
import { answerShed, type LoadShedder } from './load-shedding.js';
import { requestObserver } from './observe-requests.js';
import { refuseProtocolViolations } from './protocol-rules.js';
import { recordRequestContext, type RequestState } from './request-context.js';
import { forbidSniffing, settleCacheControl } from './response-headers.js';
import { refuseMalformedQuery } from './strict-query.js';

/** What the request pipeline works with. */
export interface RequestPipelineDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly loadShedder: LoadShedder;
  readonly faults: Faults;
}

/**
 * The work every request shares before and after the router, as one middleware: each concern
 * is a plain function of its own module, called here in order, so that the order and the error
 * semantics read in one place, with one async frame and one compose step per request instead of
 * nine (what that saves: bench/HISTORY.md, section 9, "Cuts built").
 *
 * In order: the request's id and `receivedAt`, `nosniff`, the clock; the load shedder (`503`,
 * or the request counted in flight until it ends, however it ends); from there on whatever is
 * thrown becomes a JSON answer (`errors.ts`): the protocol rules (one `Host`, an `Expect` it can
 * meet), the fault drill's plan, the strict query, the router, an unserved method's `405`/`404`,
 * the drill's delay or 500, and a status-only error answer's body. On the way out: one log line
 * and the metrics, then `Cache-Control`.
 */
export function requestPipeline({
  logger,
  metrics,
  loadShedder,
  faults,
}: RequestPipelineDependencies): Middleware<RequestState> {
  const observe = requestObserver(logger, metrics);
  return async (ctx, next) => {
    recordRequestContext(ctx);
    forbidSniffing(ctx);
    const startedNs = process.hrtime.bigint();
    const { path } = ctx;
    const admission = loadShedder.admit(path);
    try {
      if (admission !== 'admitted' && admission !== 'exempt') {
        answerShed(ctx, admission, metrics);
        return;
      }
      try {
        refuseProtocolViolations(ctx);
        const plan = faults.planFor(path);
        if (plan === 'unready') {
          faults.answerUnready(ctx);
        } else {
          refuseMalformedQuery(ctx);
          await next();
          answerUnservedMethod(ctx);
          if (plan === 'inject') await faults.inject();
        }
      } catch (error) {
        answerError(ctx, error, logger);
      }
      // A no-op after answerError, which always sets a body.
      giveErrorBody(ctx);
    } finally {
      if (admission === 'admitted') loadShedder.release();
      observe(ctx, startedNs);
      settleCacheControl(ctx);
    }
  };
}
