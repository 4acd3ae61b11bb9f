import type { CircuitState } from '../operational-contract.js';
import { wholeNumberOption } from '../option-checks.js';

/** Where a {@link CircuitBreaker} stands. */
export type { CircuitState };

/** Options for {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly threshold: number;
  /** How long the breaker stays open before it lets one trial call through. */
  readonly halfOpenAfterMs: number;
  /** Called on every change of state. @default nothing */
  readonly onStateChange?: (state: CircuitState) => void;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/**
 * A consecutive-failure circuit breaker. Closed, it lets every call through; `threshold`
 * failures in a row open it. Open, it turns calls away until `halfOpenAfterMs` have passed, then
 * lets exactly one trial call through (half-open): its success closes the breaker, its failure
 * opens it again. Every other call is turned away meanwhile, at once: a caller never waits
 * behind the trial call.
 *
 * The caller asks {@link tryCall} before a call and reports how every call it was let through
 * ended, with {@link succeeded} or {@link failed}: an unreported trial call would leave the
 * breaker half-open for good. An answer that is the caller's problem (a 404) still shows the
 * upstream alive: report it as {@link succeeded}.
 *
 * @example
 * if (!breaker.tryCall()) return fallback;
 * try {
 *   const answer = await call();
 *   breaker.succeeded();
 *   return answer;
 * } catch (error) {
 *   breaker.failed();
 *   throw error;
 * }
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;

  constructor(options: CircuitBreakerOptions) {
    wholeNumberOption('CircuitBreaker: threshold', options.threshold);
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The current state. An open breaker due for its trial call stays `open` until one is asked. */
  get state(): CircuitState {
    return this.#state;
  }

  /** Whether a call would be turned away now, without starting a trial call. */
  get rejectsCalls(): boolean {
    return this.#state === 'half-open' || (this.#state === 'open' && !this.#dueForTrial());
  }

  /**
   * Whether a call may go out now. Closed: yes. Open and due for its trial call: yes, and this
   * call is the trial (the breaker turns half-open). Otherwise: no.
   */
  tryCall(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open' && this.#dueForTrial()) {
      this.#moveTo('half-open');
      return true;
    }
    return false;
  }

  /** A call that went out answered as a healthy upstream does: a trial call closes the breaker. */
  succeeded(): void {
    this.#consecutiveFailures = 0;
    if (this.#state === 'half-open') this.#moveTo('closed');
  }

  /**
   * A call that went out failed in a way that counts against the upstream: the last of
   * `threshold` in a row, or a failed trial call, opens the breaker. (A call that was already
   * under way when the breaker opened changes nothing: only the trial call decides.)
   */
  failed(): void {
    this.#consecutiveFailures += 1;
    const opens =
      this.#state === 'half-open' ||
      (this.#state === 'closed' && this.#consecutiveFailures >= this.#options.threshold);
    if (opens) {
      this.#openedAt = this.#now();
      this.#moveTo('open');
    }
  }

  #dueForTrial(): boolean {
    return this.#now() - this.#openedAt >= this.#options.halfOpenAfterMs;
  }

  #moveTo(state: CircuitState): void {
    this.#state = state;
    this.#options.onStateChange?.(state);
  }
}
