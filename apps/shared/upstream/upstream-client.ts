import { Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { got, HTTPError, type Got } from 'got';
import type { Logger } from '../logger.js';
import type { Metrics, UpstreamOutcome } from '../metrics.js';
import { reportBreakerState } from './breaker-reporting.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { BodyTooLargeError, failureReason, RedirectNotFollowedError } from './upstream-failure.js';

/** Options for {@link UpstreamClient}. */
export interface UpstreamClientOptions {
  /**
   * The `upstream` label of this client's metrics: the service names its upstreams (see
   * `apps/<service>/upstreams/names.ts`), and dashboards and alerts read the names.
   */
  readonly name: string;
  /** Longest one call may take, connect and retries included. */
  readonly timeoutMs: number;
  /** Largest response body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Retries after the first attempt, for network errors, 5xx and 429. @default 2 */
  readonly retryLimit?: number;
  /** Consecutive failures that open the breaker. @default 5 */
  readonly breakerThreshold?: number;
  /**
   * How long the breaker stays open before it lets one trial call through.
   * @default {@link BREAKER_HALF_OPEN_AFTER_MS}
   */
  readonly breakerHalfOpenAfterMs?: number;
  /** Headers sent with every call (credentials go here, never in a URL). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  readonly metrics: Metrics;
  /** Where the breaker's changes of state are logged. */
  readonly logger: Logger;
  /** The clock deadlines are read on, in milliseconds: `Date.now()` time. @default Date.now */
  readonly now?: () => number;
  /** The connection pools calls go through. @default a keep-alive pair of this client's own */
  readonly agents?: UpstreamAgents;
}

/** The connection pools of an {@link UpstreamClient}, for `http:` and `https:` URLs. */
export interface UpstreamAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * Keep-alive connection pools: a new TCP (and TLS) handshake per call would dominate latency.
 * A service makes one pair and hands it to each of its clients.
 */
export function keepAliveAgents(): UpstreamAgents {
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  };
}

/** Per-call options of {@link UpstreamClient.getJson}. */
export interface GetJsonOptions<T> {
  readonly searchParams?: Readonly<Record<string, string | number>>;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * When the caller needs the answer by, on the client's clock (see `upstreamDeadline`): the
   * call ends at this deadline or after `timeoutMs`, whichever comes first.
   * @default in `timeoutMs`
   */
  readonly deadline?: number;
  /**
   * Checks the parsed body and returns what the caller needs; throwing here counts as an
   * upstream error, so a malformed answer trips the breaker like a 500 would. `contentType` is
   * the answer's `Content-Type` (empty when absent), for callers that negotiated one; `headers`
   * all of the answer's headers (its `Cache-Control`, say).
   */
  readonly parse: (body: unknown, contentType: string, headers: IncomingHttpHeaders) => T;
}

/** A failed upstream call, with the outcome recorded for it and its cause in words. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  /** What went wrong, as logged (see `failureReason`): "body over 262144 bytes", "status 503"… */
  readonly reason: string;
  constructor(
    readonly upstream: string,
    readonly outcome: Exclude<UpstreamOutcome, 'success' | 'fallback'>,
    options: { cause: unknown; reason?: string },
  ) {
    super(`${upstream} upstream failed: ${outcome}`, options);
    this.reason = options.reason ?? failureReason(options.cause, false, 0);
  }
}

/** The answer did not have the shape the caller needs. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

/** The caller's deadline had passed before the call could start: it is not made. */
class DeadlinePassedError extends Error {
  override readonly name = 'DeadlinePassedError';
  constructor() {
    super('the deadline passed before the call started');
  }
}

/** The breaker turned the call away. */
class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor() {
    super('the circuit breaker is open');
  }
}

/**
 * How long an open breaker turns calls away before its trial call, by default: an upstream that
 * recovers is noticed at most this long after it does, on the next call.
 */
export const BREAKER_HALF_OPEN_AFTER_MS = 10_000;

const RETRYABLE_STATUS_CODES = [408, 429, 500, 502, 503, 504];
// Leave a retry only when it has this much of the deadline left to run in.
const MIN_ATTEMPT_MS = 50;
const BACKOFF_BASE_MS = 25;

/**
 * A JSON-over-HTTP client for one upstream: every call has a deadline, bounded retries that
 * honour `Retry-After`, a body size limit, and goes through a circuit breaker, so a dead
 * upstream costs microseconds once the breaker opens. Records `upstream_requests_total` and
 * `upstream_request_duration_seconds`; the breaker reports its own state (see
 * `reportBreakerState`).
 */
export class UpstreamClient {
  readonly #options: UpstreamClientOptions;
  readonly #http: Got;
  readonly #breaker: CircuitBreaker;
  readonly #now: () => number;
  /** What every call the breaker turns away rejects with. */
  readonly #refusal: UpstreamError;

  constructor(options: UpstreamClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#http = got.extend({
      agent: options.agents ?? keepAliveAgents(),
      headers: { accept: 'application/json', ...options.headers },
      responseType: 'text',
      throwHttpErrors: true,
      followRedirect: false,
      retry: {
        limit: options.retryLimit ?? 2,
        methods: ['GET'],
        statusCodes: RETRYABLE_STATUS_CODES,
        maxRetryAfter: options.timeoutMs,
        enforceRetryRules: true,
      },
    });
    this.#refusal = new UpstreamError(options.name, 'circuit_open', {
      cause: new CircuitOpenError(),
    });
    this.#breaker = new CircuitBreaker({
      threshold: options.breakerThreshold ?? 5,
      halfOpenAfterMs: options.breakerHalfOpenAfterMs ?? BREAKER_HALF_OPEN_AFTER_MS,
      now: this.#now,
      onStateChange: reportBreakerState(options.name, options),
    });
  }

  /** The `upstream` label of this client's metrics. */
  get name(): string {
    return this.#options.name;
  }

  /** The breaker's state, for tests and diagnostics. */
  get circuitState(): CircuitState {
    return this.#breaker.state;
  }

  /** GETs `url`, parses its JSON body and hands it to `options.parse`. */
  async getJson<T>(url: string, options: GetJsonOptions<T>): Promise<T> {
    const refusal = this.refuseIfOpen();
    if (refusal) throw refusal;
    const { name, metrics, timeoutMs } = this.#options;
    const deadline = Math.min(
      this.#now() + timeoutMs,
      options.deadline ?? Number.POSITIVE_INFINITY,
    );
    if (deadline - this.#now() < 1) {
      // Not the upstream's doing: no call, and nothing for the breaker to learn.
      metrics.upstreamRequests.inc({ upstream: name, outcome: 'timeout' });
      throw new UpstreamError(name, 'timeout', { cause: new DeadlinePassedError() });
    }
    // Starts the trial call when the breaker is due for one; refuses nothing `refuseIfOpen` let by.
    if (!this.#breaker.tryCall()) throw this.#refuse();
    const startedAt = this.#now();
    const stopTimer = metrics.upstreamRequestDuration.startTimer({ upstream: name });
    try {
      const value = await this.#fetch(url, options, deadline);
      this.#breaker.succeeded();
      metrics.upstreamRequests.inc({ upstream: name, outcome: 'success' });
      return value;
    } catch (error) {
      // A 4xx other than 408/429 is the caller's problem (a bad id, a bad key): the upstream
      // answered, as a healthy one does.
      if (countsAgainstUpstream(error)) this.#breaker.failed();
      else this.#breaker.succeeded();
      const outcome = classify(error);
      const reason = failureReason(error, outcome === 'timeout', deadline - startedAt);
      const failure = new UpstreamError(name, outcome, { cause: error, reason });
      metrics.upstreamRequests.inc({ upstream: name, outcome: failure.outcome });
      throw failure;
    } finally {
      stopTimer();
    }
  }

  /**
   * When the breaker turns calls away, counts one refusal (`circuit_open`) and returns the error
   * the call rejects with; otherwise `undefined`. {@link getJson} asks first; a caller with work
   * of its own to skip when no call would go out (a cache fetch) can ask before it.
   *
   * No call, so nothing is timed, and the error is one shared object: building one per refusal,
   * with its async stack trace, was the largest cost of a request while the breaker was open.
   */
  refuseIfOpen(): UpstreamError | undefined {
    return this.#breaker.rejectsCalls ? this.#refuse() : undefined;
  }

  #refuse(): UpstreamError {
    const { name, metrics } = this.#options;
    metrics.upstreamRequests.inc({ upstream: name, outcome: 'circuit_open' });
    return this.#refusal;
  }

  /** One call, its retries included, that must end by `deadline` (on the client's clock). */
  async #fetch<T>(url: string, options: GetJsonOptions<T>, deadline: number): Promise<T> {
    // Setting up a call takes got a millisecond or more of synchronous work while its code is
    // cold. Yield once first, so that a burst of requests is read (and their deadlines start)
    // before any of them pays for it; otherwise the last of 64 would start 100 ms late.
    await nextTurn();
    // Whole milliseconds, at least one: timers take nothing else.
    const remainingMs = Math.max(1, Math.floor(deadline - this.#now()));
    const { maxBodyBytes } = this.#options;
    const request = this.#http.get(url, {
      searchParams: options.searchParams,
      headers: options.headers,
      // The signal bounds the whole call; the per-attempt timeout only adds got's error codes.
      signal: AbortSignal.timeout(remainingMs),
      timeout: { request: remainingMs },
      retry: {
        calculateDelay: ({ attemptCount, retryAfter }) => {
          const delay = retryDelayMs(attemptCount, retryAfter);
          return this.#now() + delay + MIN_ATTEMPT_MS < deadline ? delay : 0;
        },
      },
    });
    // got 14 drops the reason given to `cancel`: keep it here, to throw in its place.
    let cutOff: BodyTooLargeError | undefined;
    // `on` returns the request itself, awaited below.
    void request.on('downloadProgress', ({ transferred, total }) => {
      if (transferred > maxBodyBytes || (total ?? 0) > maxBodyBytes) {
        cutOff ??= new BodyTooLargeError(maxBodyBytes);
        request.cancel();
      }
    });
    const response = await request.catch((error: unknown) => {
      throw cutOff ?? error;
    });
    // Redirects are not followed (`followRedirect: false`), and got hands a 3xx back as an answer.
    if (response.statusCode >= 300 && response.statusCode < 400) {
      throw new RedirectNotFollowedError(response.statusCode);
    }
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch (error) {
      throw new MalformedResponseError('response body is not JSON', { cause: error });
    }
    return options.parse(body, response.headers['content-type'] ?? '', response.headers);
  }
}

// A 4xx other than 408/429 is the caller's problem (a bad id, a bad key), not a sick upstream.
function countsAgainstUpstream(error: unknown): boolean {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    return status >= 500 || status === 408 || status === 429;
  }
  return true;
}

function classify(error: unknown): UpstreamError['outcome'] {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ETIMEDOUT' || error.name === 'TimeoutError' || error.name === 'AbortError') {
      return 'timeout';
    }
  }
  return 'error';
}

/**
 * How long to wait before retry `attemptCount`: the exponential backoff, or longer when the
 * upstream's `Retry-After` asks for it. got reads `Retry-After: 0` as 0 ms, a past date as 1 ms
 * and garbage as `NaN`; handed back to got, 0 or `NaN` would mean "no retry". Each of them means
 * "retry now", and gets the normal backoff.
 */
function retryDelayMs(attemptCount: number, retryAfter: number | undefined): number {
  const backoff = BACKOFF_BASE_MS * 2 ** (attemptCount - 1);
  return retryAfter !== undefined && Number.isFinite(retryAfter)
    ? Math.max(backoff, retryAfter)
    : backoff;
}
