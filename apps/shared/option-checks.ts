/**
 * `value` if it is a whole number of at least 1, as a count a class is built with must be (a
 * breaker's threshold, requests in flight); otherwise an `Error` naming `option` and the value.
 * A programmer's error, thrown at once: a count of 0 or 2.5 would fail every call, later and
 * less clearly.
 *
 * @example
 * this.#maxInFlight = wholeNumberOption('LoadShedder: maxInFlight', options.maxInFlight);
 */
export function wholeNumberOption(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${option} must be a whole number ≥ 1, not ${value}`);
  }
  return value;
}
