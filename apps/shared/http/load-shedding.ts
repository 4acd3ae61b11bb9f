import type { Context } from 'koa';
import type { Metrics } from '../metrics.js';
import type { ErrorBody } from './errors.js';
import { OPERATIONAL_PATHS } from '../operational-contract.js';
import { wholeNumberOption } from '../option-checks.js';

/** Why a request was shed; values of the `reason` label of `http_requests_shed_total`. */
export type ShedReason = 'in_flight' | 'event_loop_lag';

/** Options for {@link LoadShedder}. */
export interface LoadShedderOptions {
  /** Requests answered at once at most; one more is shed (`MAX_IN_FLIGHT_REQUESTS`). */
  readonly maxInFlight: number;
  /** Event-loop lag beyond which new requests are shed, in milliseconds. @default 300 */
  readonly maxLagMs?: number;
  /** How often the event loop's lag is sampled, in milliseconds. @default 20 */
  readonly sampleEveryMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

// Sampling stops this long after the last request.
const IDLE_AFTER_MS = 1_000;

/** Seconds a shed client is told to wait (`Retry-After`): the time a burst takes to drain. */
export const SHED_RETRY_AFTER_S = 1;

// Operational endpoints are never shed: a liveness probe failing under load would get the pod
// restarted (more load on the others), and the scraper must see the overload it is about.
const NEVER_SHED = new Set<string>(Object.values(OPERATIONAL_PATHS));

/**
 * Admission control that keeps the deadline promise under overload. A request is answered only
 * when the process can still answer it in time: at most `maxInFlight` at once, and none while the
 * event loop lags by more than `maxLagMs`. Anything else gets `503` with `Retry-After` at once,
 * in well under a millisecond of work, instead of joining a queue whose tail would be answered
 * after the deadline (bench/HISTORY.md, section 7).
 *
 * The lag is sampled by a timer (unref'd, so it keeps no process alive) while requests come;
 * between samples, a timer that is overdue counts as lag too, so that requests read after a long
 * block of the loop are shed at once.
 */
export class LoadShedder {
  readonly #maxInFlight: number;
  readonly #maxLagMs: number;
  readonly #sampleEveryMs: number;
  readonly #now: () => number;
  #inFlight = 0;
  #sampler: NodeJS.Timeout | undefined;
  #lastTickAt = 0;
  #lastRequestAt = 0;
  #sampledLagMs = 0;

  constructor(options: LoadShedderOptions) {
    this.#maxInFlight = wholeNumberOption('LoadShedder: maxInFlight', options.maxInFlight);
    this.#maxLagMs = options.maxLagMs ?? 300;
    this.#sampleEveryMs = options.sampleEveryMs ?? 20;
    this.#now = options.now ?? Date.now;
  }

  /** Requests being answered now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The event loop's lag: the last sample, or how overdue the next one is; 0 while idle. */
  get lagMs(): number {
    if (this.#sampler === undefined) return 0;
    const overdue = this.#now() - this.#lastTickAt - this.#sampleEveryMs;
    return Math.max(this.#sampledLagMs, overdue);
  }

  /** Why a new request must be shed now, or `undefined` when it may be answered. */
  refusal(): ShedReason | undefined {
    this.#lastRequestAt = this.#now();
    this.#sample();
    return this.#reasonToShed();
  }

  #reasonToShed(): ShedReason | undefined {
    if (this.#inFlight >= this.#maxInFlight) return 'in_flight';
    if (this.lagMs > this.#maxLagMs) return 'event_loop_lag';
    return undefined;
  }

  /**
   * Samples the lag while requests come, and stops a second after the last one: an idle
   * process wakes for nothing, and a pause before the first request (start-up, a test's own
   * work) never counts as lag.
   */
  #sample(): void {
    if (this.#sampler !== undefined) return;
    this.#lastTickAt = this.#now();
    this.#sampledLagMs = 0;
    this.#sampler = setInterval(() => {
      const now = this.#now();
      this.#sampledLagMs = Math.max(0, now - this.#lastTickAt - this.#sampleEveryMs);
      this.#lastTickAt = now;
      if (now - this.#lastRequestAt > IDLE_AFTER_MS) {
        clearInterval(this.#sampler);
        this.#sampler = undefined;
      }
    }, this.#sampleEveryMs).unref();
  }

  /**
   * Admits a request to `path` or refuses it: operational endpoints are `'exempt'` (never shed
   * nor counted); otherwise the {@link refusal}, or `'admitted'`, counted in flight until
   * {@link release}.
   */
  admit(path: string): Admission {
    if (NEVER_SHED.has(path)) return 'exempt';
    const reason = this.refusal();
    if (reason !== undefined) return reason;
    this.#inFlight += 1;
    return 'admitted';
  }

  /** Ends a request {@link admit} admitted, on every path out of it. */
  release(): void {
    this.#inFlight -= 1;
  }
}

/** What {@link LoadShedder.admit} decided: answer and count, answer uncounted, or shed. */
export type Admission = 'admitted' | 'exempt' | ShedReason;

/**
 * Answers a shed request: `503 {"error":"overloaded, retry later"}` with `Retry-After`, counted
 * in `http_requests_shed_total{reason}`.
 */
export function answerShed(ctx: Context, reason: ShedReason, metrics: Metrics): void {
  metrics.requestsShed.inc({ reason });
  ctx.status = 503;
  ctx.set('retry-after', String(SHED_RETRY_AFTER_S));
  ctx.body = { error: 'overloaded, retry later' } satisfies ErrorBody;
}
