import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

/** One load phase. */
export interface LoadOptions {
  /** Base URL of the target, without a trailing slash. */
  readonly url: string;
  readonly connections: number;
  /** Seconds of load; ignored when `amount` is set. */
  readonly durationS?: number;
  /** Exactly this many requests, one connection each at most (autocannon's `amount`). */
  readonly amount?: number;
  /** The path of each request; called once per request. @default always '/' */
  readonly path?: () => string;
  /** Seconds before a request counts as failed. @default 10 */
  readonly timeoutS?: number;
  /** CPU time of the target process so far, in ms: sampled around the phase. */
  readonly cpuMs?: () => Promise<number | undefined>;
}

/** What one or more load phases measured; latencies are milliseconds. */
export interface LoadSamples {
  /** Latency of every 2xx response. */
  readonly latencies: number[];
  /** Non-2xx answers, connection errors and timeouts. */
  readonly failures: number;
  readonly seconds: number;
  /** CPU time the target used during the phase, in ms, where known. */
  readonly cpuMs: number | undefined;
}

/** The summary the report shows. */
export interface LoadSummary {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly failures: number;
  /** CPU time of the target per answered request, in microseconds, where known. */
  readonly cpuUsPerRequest: number | undefined;
}

async function measured(
  options: LoadOptions,
  run: () => Promise<Omit<LoadSamples, 'cpuMs' | 'seconds'>>,
): Promise<LoadSamples> {
  const cpuBefore = await options.cpuMs?.();
  const started = performance.now();
  const samples = await run();
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await options.cpuMs?.();
  const cpuMs =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { ...samples, seconds, cpuMs };
}

/**
 * A closed-loop phase: autocannon, in this process, keeps `connections` requests in flight.
 * Every 2xx latency is kept here (autocannon's own histogram rounds to whole milliseconds, too
 * coarse for a cached answer).
 */
export function runLoad(options: LoadOptions): Promise<LoadSamples> {
  return measured(
    options,
    () =>
      new Promise((resolve, reject) => {
        const latencies: number[] = [];
        let non2xx = 0;
        const { path } = options;
        const instance = autocannon(
          {
            url: options.url,
            connections: options.connections,
            ...(options.amount === undefined
              ? { duration: options.durationS ?? 5 }
              : { amount: options.amount }),
            timeout: options.timeoutS ?? 10,
            requests: [path ? { setupRequest: (request) => ({ ...request, path: path() }) } : {}],
          },
          (error, result) => {
            if (error) reject(error);
            else resolve({ latencies, failures: non2xx + result.errors });
          },
        );
        instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
          if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
          else non2xx += 1;
        });
      }),
  );
}

/**
 * An open-loop phase at a fixed rate: request i is due at `i / rate` seconds and its latency is
 * counted from then, whether or not a connection was free (so a stall is not hidden by
 * requests that were never sent: no coordinated omission). At most `connections` are open.
 * This is latency at a given load, where {@link runLoad} gives latency at saturation.
 */
export function runPaced(options: LoadOptions & { readonly rate: number }): Promise<LoadSamples> {
  return measured(options, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
    const total = Math.round(options.rate * (options.durationS ?? 5));
    const interval = 1000 / options.rate;
    const latencies: number[] = [];
    let failures = 0;
    let settled = 0;
    const start = performance.now();
    const send = (due: number) => {
      const request = get(`${options.url}${options.path?.() ?? '/'}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== undefined && res.statusCode < 300) {
            latencies.push(performance.now() - due);
          } else failures += 1;
          settled += 1;
        });
      });
      request.setTimeout((options.timeoutS ?? 10) * 1000, () => request.destroy());
      request.on('error', () => {
        failures += 1;
        settled += 1;
      });
    };
    for (let sent = 0; sent < total;) {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
      await sleep(1);
    }
    while (settled < total) await sleep(5);
    agent.destroy();
    return { latencies, failures };
  });
}

/**
 * One burst: `connections` requests sent together over `connections` keep-alive connections that
 * are already open (each first carries a request to `warmPath`), the way a client with a
 * connection pool (bird, an ingress) meets a slow upstream. The connection set-up is left out.
 */
export function runBurst(
  options: LoadOptions & { readonly warmPath: string },
): Promise<LoadSamples> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const request = (path: string) =>
    new Promise<number | undefined>((resolve) => {
      const started = performance.now();
      get(`${options.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve(res.statusCode === 200 ? performance.now() - started : undefined),
        );
      }).on('error', () => resolve(undefined));
    });
  const all = (path: () => string) =>
    Promise.all(Array.from({ length: options.connections }, () => request(path())));
  return measured(options, async () => {
    try {
      await all(() => options.warmPath);
      const latencies = await all(options.path ?? (() => '/'));
      const answered = latencies.filter((ms): ms is number => ms !== undefined);
      return { latencies: answered, failures: latencies.length - answered.length };
    } finally {
      agent.destroy();
    }
  });
}

/** Runs phases against each target in turn, `rounds` times (A B A B …), and merges per target. */
export async function alternate(
  targets: readonly LoadOptions[],
  rounds: number,
): Promise<LoadSamples[]> {
  const merged = targets.map(() => [] as LoadSamples[]);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, target] of targets.entries()) {
      merged[index]!.push(await runLoad(target));
    }
  }
  return merged.map(mergeSamples);
}

/** Pools phases of one target. */
export function mergeSamples(phases: readonly LoadSamples[]): LoadSamples {
  const cpu = phases.map((phase) => phase.cpuMs);
  return {
    latencies: phases.flatMap((phase) => phase.latencies),
    failures: phases.reduce((sum, phase) => sum + phase.failures, 0),
    seconds: phases.reduce((sum, phase) => sum + phase.seconds, 0),
    cpuMs: cpu.every((ms) => ms !== undefined) ? cpu.reduce((sum, ms) => sum + ms, 0) : undefined,
  };
}

/** Requests per second, latency percentiles and CPU per request of `samples`. */
export function summarize(samples: LoadSamples): LoadSummary {
  const sorted = Float64Array.from(samples.latencies).sort();
  const answered = sorted.length + samples.failures;
  return {
    requests: sorted.length,
    requestsPerSecond: sorted.length / samples.seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    failures: samples.failures,
    cpuUsPerRequest:
      samples.cpuMs === undefined || answered === 0 ? undefined : (samples.cpuMs * 1000) / answered,
  };
}

// Nearest-rank percentile of sorted values.
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)]!;
}
