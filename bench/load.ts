import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { quantile } from './stats.js';

/** What a load phase measured against one server. */
export interface Phase {
  /** Answered with a 2xx. */
  readonly requests: number;
  /** Other statuses, errors and timeouts. */
  readonly failures: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Connections at most, as an ingress or bird keeps open to a pod. */
export const CONNECTIONS = 64;

/** A keep-alive pool of {@link CONNECTIONS} for {@link atFixedRate}, kept across its phases. */
export const connectionPool = () => new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

/**
 * An open loop at `rate` req/s for `seconds`, over `agent`: request i is due at i / rate and its
 * latency counts from then, whether or not a connection was free, so a stall is not hidden by
 * requests never sent (no coordinated omission). Resolves with each answered request's latency
 * in ms and the count of failures (other statuses, errors, timeouts).
 */
export async function atFixedRate(
  url: string,
  path: () => string,
  { rate, seconds, agent }: { rate: number; seconds: number; agent: Agent },
): Promise<{ latencies: number[]; failures: number }> {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  let failures = 0;
  // The first of `close` and `error` settles a request.
  const send = (due: number) =>
    new Promise<boolean>((resolve) => {
      const request = get(`${url}${path()}`, { agent, timeout: 10_000 }, (res) => {
        res.resume().on('close', () => resolve(res.complete && res.statusCode === 200));
      });
      request.on('timeout', () => request.destroy()).on('error', () => resolve(false));
    }).then((ok) => (ok ? latencies.push(performance.now() - due) : (failures += 1)));
  const started = performance.now();
  const answers: Promise<number>[] = [];
  while (answers.length < total) {
    const due = started + (answers.length * 1000) / rate;
    if (due <= performance.now()) answers.push(send(due));
    else await sleep(1);
  }
  await Promise.all(answers);
  return { latencies, failures };
}

/** The p50 and p99 of `latencies`, in ms. */
export function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = latencies.sort((a, b) => a - b);
  return { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

/** A closed loop (autocannon): {@link CONNECTIONS} requests in flight for `seconds`. Saturation. */
export async function flatOut(url: string, path: () => string, seconds: number): Promise<Phase> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    // autocannon stops at a sample tick (every second by default): a shorter phase, as in the
    // bench's own tests, would otherwise last a whole second.
    sampleInt: Math.min(1000, seconds * 1000),
    requests: [{ setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  return {
    requests: result['2xx'],
    failures: result.non2xx + result.errors,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
