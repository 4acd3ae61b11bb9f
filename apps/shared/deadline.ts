// The share of the budget kept back to build and send a degraded answer once the calls end, and
// its cap. Under a burst, the answers of every request that timed out together are written one
// after another: with 2.5 % (50 ms of the default 2 s) a burst of 64 was answered at 1,971-1,995
// ms, too near the deadline; with 5 %, at 1,921-1,945 ms (bench/RESULTS.md, scenario 4).
const ANSWER_MARGIN_SHARE = 0.05;
const MAX_ANSWER_MARGIN_MS = 100;

/**
 * When the upstream calls made for a request must end, as a `Date.now()` time: `budgetMs`
 * (`UPSTREAM_TIMEOUT_MS`) after the request arrived, less a margin to answer with a fallback.
 * Every call of the request shares it, so even a request whose upstreams all hang is answered
 * within `budgetMs`.
 */
export function upstreamDeadline(receivedAt: number, budgetMs: number): number {
  const marginMs = Math.min(Math.ceil(budgetMs * ANSWER_MARGIN_SHARE), MAX_ANSWER_MARGIN_MS);
  return receivedAt + budgetMs - marginMs;
}
