// The share of the budget kept back to read the request and to build and send a degraded answer
// once the calls end, and its cap. Two things happen in it. Under a burst, the answers of every
// request that timed out together are written one after another (with 5 %, 100 ms, a burst of
// 64 was answered at 1,921-1,945 ms: bench/HISTORY.md, section 2). And a request waits, before
// the service sees it, in the kernel and behind the requests read before it: on a CPU-starved
// machine, that wait alone reached hundreds of milliseconds for 500 concurrent requests (bench/
// HISTORY.md, section 7). A quarter of the budget, at most 500 ms, still leaves Unsplash 1.5 s
// of the default 2 s, several times its usual latency.
const ANSWER_MARGIN_SHARE = 0.25;
const MAX_ANSWER_MARGIN_MS = 500;

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
