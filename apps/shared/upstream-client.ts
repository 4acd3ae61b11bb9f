import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { got, HTTPError, type Got } from 'got';
import type { Logger } from './logger.js';
import type { Metrics, UpstreamName, UpstreamOutcome } from './metrics.js';

/** Options for {@link UpstreamClient}. */
export interface UpstreamClientOptions {
  /** The `upstream` label of this client's metrics. */
  readonly name: UpstreamName;
  /** Deadline of one call, connect and retries included. */
  readonly timeoutMs: number;
  /** Largest response body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Retries after the first attempt, for network errors, 5xx and 429. @default 2 */
  readonly retryLimit?: number;
  /** Consecutive failures that open the breaker. @default 5 */
  readonly breakerThreshold?: number;
  /** How long the breaker stays open before it lets one trial call through. @default 10000 */
  readonly breakerHalfOpenAfterMs?: number;
  /** Headers sent with every call (credentials go here, never in a URL). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Per-call options of {@link UpstreamClient.getJson}. */
export interface GetJsonOptions<T> {
  readonly searchParams?: Readonly<Record<string, string | number>>;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Checks the parsed body and returns what the caller needs; throwing here counts as an
   * upstream error, so a malformed answer trips the breaker like a 500 would.
   */
  readonly parse: (body: unknown) => T;
}

/** A failed upstream call, with the outcome recorded for it. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly upstream: UpstreamName,
    readonly outcome: Exclude<UpstreamOutcome, 'success' | 'fallback'>,
    options: { cause: unknown },
  ) {
    super(`${upstream} upstream failed: ${outcome}`, options);
  }
}

/** The answer did not have the shape the caller needs. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

const RETRYABLE_STATUS_CODES = [408, 429, 500, 502, 503, 504];
// Leave a retry only when it has this much of the deadline left to run in.
const MIN_ATTEMPT_MS = 50;
const BACKOFF_BASE_MS = 25;
const BREAKER_STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 0.5,
  [CircuitState.Open]: 1,
  [CircuitState.Isolated]: 1,
};

// Shared keep-alive agents: a new TCP (and TLS) handshake per call would dominate latency.
const agent = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

/**
 * A JSON-over-HTTP client for one upstream: every call has a deadline, bounded retries that
 * honour `Retry-After`, a body size limit, and goes through a circuit breaker, so a dead
 * upstream costs microseconds once the breaker opens. Records `upstream_requests_total` and
 * `upstream_request_duration_seconds`.
 */
export class UpstreamClient {
  readonly #options: UpstreamClientOptions;
  readonly #http: Got;
  readonly #breaker;

  constructor(options: UpstreamClientOptions) {
    this.#options = options;
    this.#http = got.extend({
      agent,
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
    this.#breaker = circuitBreaker(handleWhen(countsAgainstUpstream), {
      halfOpenAfter: options.breakerHalfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
    });
    const gauge = options.metrics.circuitBreakerState.labels(options.name);
    gauge.set(0);
    this.#breaker.onStateChange((state) => {
      gauge.set(BREAKER_STATE_VALUE[state]);
      options.logger.warn(
        { upstream: options.name, state: CircuitState[state] },
        'circuit breaker',
      );
    });
  }

  /** The breaker's state, for tests and diagnostics. */
  get circuitState(): CircuitState {
    return this.#breaker.state;
  }

  /** GETs `url`, parses its JSON body and hands it to `options.parse`. */
  async getJson<T>(url: string, options: GetJsonOptions<T>): Promise<T> {
    const { name, metrics } = this.#options;
    const stopTimer = metrics.upstreamRequestDuration.startTimer({ upstream: name });
    try {
      // cockatiel queues every caller behind the half-open trial call, so a dead upstream would
      // cost each of them the full deadline; only the trial call should wait.
      if (this.#breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
      const value = await this.#breaker.execute(() => this.#fetch(url, options));
      metrics.upstreamRequests.inc({ upstream: name, outcome: 'success' });
      return value;
    } catch (error) {
      const failure = new UpstreamError(name, classify(error), { cause: error });
      metrics.upstreamRequests.inc({ upstream: name, outcome: failure.outcome });
      throw failure;
    } finally {
      stopTimer();
    }
  }

  async #fetch<T>(url: string, options: GetJsonOptions<T>): Promise<T> {
    const { timeoutMs, maxBodyBytes } = this.#options;
    const deadline = Date.now() + timeoutMs;
    const request = this.#http.get(url, {
      searchParams: options.searchParams,
      headers: options.headers,
      // The signal bounds the whole call; the per-attempt timeout only adds got's error codes.
      signal: AbortSignal.timeout(timeoutMs),
      timeout: { request: timeoutMs },
      retry: {
        calculateDelay: ({ attemptCount, retryAfter }) => {
          const delay = retryAfter ?? BACKOFF_BASE_MS * 2 ** (attemptCount - 1);
          return Date.now() + delay + MIN_ATTEMPT_MS < deadline ? delay : 0;
        },
      },
    });
    // `on` returns the request itself, awaited below.
    void request.on('downloadProgress', ({ transferred, total }) => {
      if (transferred > maxBodyBytes || (total ?? 0) > maxBodyBytes) {
        request.cancel(`response body over ${maxBodyBytes} bytes`);
      }
    });
    const response = await request;
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch (error) {
      throw new MalformedResponseError('response body is not JSON', { cause: error });
    }
    return options.parse(body);
  }
}

// A 4xx other than 408/429 is the caller's problem (a bad id, a bad key), not a sick upstream.
function countsAgainstUpstream(error: Error): boolean {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    return status >= 500 || status === 408 || status === 429;
  }
  return true;
}

function classify(error: unknown): UpstreamError['outcome'] {
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ETIMEDOUT' || error.name === 'TimeoutError' || error.name === 'AbortError') {
      return 'timeout';
    }
  }
  return 'error';
}
