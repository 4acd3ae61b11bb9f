import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Middleware } from 'koa';
import { Counter, Gauge, type Registry } from 'prom-client';
import { FAULT_VARIABLES, NO_FAULTS, type FaultSettings } from './config.js';
import type { Logger } from './logger.js';
import { OPERATIONAL_PATHS } from './operational-contract.js';

/** Values of the `fault` label of `faults_injected_total`. */
export type InjectedFault = 'error' | 'latency';

/** What {@link Faults} is built from besides its settings. */
export interface FaultsDependencies {
  /** Where the `faults_*` metrics are registered. */
  readonly registry: Registry;
  /** Hears the one warning at start when a fault is on. */
  readonly logger: Logger;
  /** A number in [0, 1); a test hands in its own sequence. @default Math.random */
  readonly random?: () => number;
  /** Waits `ms`; a test may record the waits instead. @default timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Thrown for an injected 5xx: the error handler answers and logs it as any other bug. */
export class InjectedError extends Error {
  override readonly name = 'InjectedError';
}

const FAULT_FREE_PATHS = new Set<string>([OPERATIONAL_PATHS.liveness, OPERATIONAL_PATHS.metrics]);

/**
 * `path` spelled as the router matches it: @koa/router's defaults are case-insensitive and
 * non-strict (one trailing slash optional), so `/HEALTHZ` and `/healthz/` reach liveness too and
 * must be exempt as it is.
 */
function routedPath(path: string): string {
  const lowered = path.toLowerCase();
  return lowered.length > 1 && lowered.endsWith('/') ? lowered.slice(0, -1) : lowered;
}

/**
 * The faults of one process: announced once at start (a warning log line naming each variable
 * set, and the `faults_*` gauges, 0 when off), then injected by {@link Faults.middleware}.
 */
export class Faults {
  readonly #settings: FaultSettings;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #injected: Counter<'fault'>;

  constructor(settings: FaultSettings, deps: FaultsDependencies) {
    this.#settings = settings;
    this.#random = deps.random ?? Math.random;
    this.#sleep = deps.sleep ?? ((ms) => sleepFor(ms));
    const registers = [deps.registry];
    const gauge = (name: string, help: string, value: number) =>
      new Gauge({ name, help, registers }).set(value);
    gauge(
      'faults_error_ratio',
      'FAULT_ERROR_RATIO: share of requests answered 500 on purpose.',
      settings.errorRatio,
    );
    gauge(
      'faults_latency_seconds',
      'FAULT_LATENCY_MS: delay added to every answer, in seconds.',
      settings.latencyMs / 1000,
    );
    gauge(
      'faults_unready',
      'FAULT_UNREADY: 1 when /readyz answers 503 on purpose.',
      settings.unready ? 1 : 0,
    );
    this.#injected = new Counter({
      name: 'faults_injected_total',
      help: 'Requests a fault was injected into, by fault (error, latency).',
      labelNames: ['fault'],
      registers,
    });
    const set = Object.entries(FAULT_VARIABLES)
      .filter(
        ([key]) => settings[key as keyof FaultSettings] !== NO_FAULTS[key as keyof FaultSettings],
      )
      .map(([key, name]) => `${name}=${String(settings[key as keyof FaultSettings])}`);
    if (set.length > 0) {
      deps.logger.warn({ faults: settings }, `faults switched on: ${set.join(' ')}`);
    }
  }

  /**
   * Injects the faults into every request but liveness and the scrape, which must keep telling
   * the truth. Mounted after the metrics and the error handler, so an injected 500 or delay is
   * counted, logged and answered as a real one would be; `/readyz` answers 503 while
   * `FAULT_UNREADY` is set.
   */
  middleware(): Middleware {
    const { errorRatio, latencyMs, unready } = this.#settings;
    return async (ctx, next) => {
      const path = routedPath(ctx.path);
      const readiness = path === OPERATIONAL_PATHS.readiness;
      if (FAULT_FREE_PATHS.has(path) || (readiness && !unready)) {
        await next();
        return;
      }
      if (readiness) {
        ctx.status = 503;
        ctx.body = { status: 'unready', reason: `${FAULT_VARIABLES.unready} is set` };
        return;
      }
      // After the route has run, so the answer counts under its route, as a bug's 500 would.
      await next();
      // After the answer is ready, so the delay does not eat the request's upstream budget.
      if (latencyMs > 0) {
        this.#injected.inc({ fault: 'latency' });
        await this.#sleep(latencyMs);
      }
      if (errorRatio > 0 && this.#random() < errorRatio) {
        this.#injected.inc({ fault: 'error' });
        throw new InjectedError(`${FAULT_VARIABLES.errorRatio}=${errorRatio} failed this request`);
      }
    };
  }
}
