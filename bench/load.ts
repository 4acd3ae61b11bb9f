import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { quantile } from './stats.js';

/** What one load phase measured against one server. */
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

/**
 * An open loop at `rate` req/s for `seconds`: request i is due at i / rate and its latency
 * counts from then, whether or not a connection was free, so a stall is not hidden by requests
 * never sent (no coordinated omission). Latency below saturation, as a client sees it.
 */
export async function atFixedRate(
  url: string,
  path: () => string,
  rate: number,
  seconds: number,
): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
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
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    failures,
    seconds: (performance.now() - started) / 1000,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
  };
}

/** A closed loop (autocannon): {@link CONNECTIONS} requests in flight for `seconds`. Saturation. */
export async function flatOut(url: string, path: () => string, seconds: number): Promise<Phase> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
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
