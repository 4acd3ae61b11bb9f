/** Options for {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens the bucket holds when full: the largest burst it allows. */
  readonly capacity: number;
  /** Tokens added per hour, continuously, up to `capacity`. */
  readonly perHour: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

const MS_PER_HOUR = 3_600_000;

/**
 * A token bucket: allows bursts of up to `capacity` calls and `perHour` calls an hour beyond
 * them. It starts full.
 *
 * @example
 * const searches = new TokenBucket({ capacity: 50, perHour: 50 });
 * if (!searches.take()) return defaultImage; // the hour's budget is spent
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity >= 1) || !(options.perHour >= 0)) {
      throw new Error(
        `TokenBucket: capacity must be ≥ 1 and perHour ≥ 0, not ${options.capacity} and ${options.perHour}`,
      );
    }
    this.#capacity = options.capacity;
    this.#perMs = options.perHour / MS_PER_HOUR;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.capacity;
    this.#updatedAt = this.#now();
  }

  /** Takes one token if there is one; `false` when the budget is spent. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** An upstream call was not made: its budget (a {@link TokenBucket}) is spent. */
export class BudgetSpentError extends Error {
  override readonly name = 'BudgetSpentError';
}
