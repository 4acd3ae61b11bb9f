/**
 * The slack of every timing assertion, stated once. `npm test` runs two test files at once on
 * 2 cores, beside other work (a load average of about 4): the test's client, the code under test
 * and its stand-ins wait their turn for a core, so whatever is due at a time is seen late by
 * up to a few hundred milliseconds. A check of a configured budget allows half of the budget
 * again, and never less than {@link MIN_LATENESS_MS}: enough for such a machine, and still short
 * of the twice-as-long wait a budget counted twice (per call instead of per request) takes, for
 * budgets of a second or more. Shorter budgets catch a wait that ignores them.
 */
export const LATENESS_SHARE = 0.5;

/** The least lateness allowed, however short the budget: a core's turn on a loaded machine. */
export const MIN_LATENESS_MS = 500;

/** The latest a test may see what is due `budgetMs` after it began: the budget and its slack. */
export function dueWithin(budgetMs: number): number {
  return budgetMs + Math.max(budgetMs * LATENESS_SHARE, MIN_LATENESS_MS);
}

/**
 * The longest a test allows for what must not wait out `waitMs` (a delay or a timeout it is
 * meant to cut short): half of it, which a wait that ran its course cannot meet.
 */
export function wellWithin(waitMs: number): number {
  return waitMs / 2;
}
