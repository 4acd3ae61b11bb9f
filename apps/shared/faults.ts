import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Context } from 'koa';
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

/** What the drill does to one request; see {@link Faults.planFor}. */
export type FaultPlan = 'off' | 'unready' | 'inject';

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
 * set, and the `faults_*` gauges, 0 when off), then injected as {@link Faults.planFor} says.
 */
export class Faults {
  readonly #settings: FaultSettings;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #injected: Counter<'fault'>;
  readonly #anyOn: boolean;

  constructor(settings: FaultSettings, deps: FaultsDependencies) {
    this.#settings = settings;
    this.#anyOn = settings.errorRatio > 0 || settings.latencyMs > 0 || settings.unready;
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
   * What the drill does to a request to `path`: nothing (`'off'`) when no fault is set, and to
   * liveness and the scrape, which must keep telling the truth; `/readyz` answers 503 while
   * `FAULT_UNREADY` is set (`'unready'`, see {@link answerUnready}); any other request is held or
   * failed once its route has answered (`'inject'`, see {@link inject}). The request pipeline
   * applies it after the metrics and the error handler, so an injected 500 or delay is counted,
   * logged and answered as a real one would be.
   */
  planFor(path: string): FaultPlan {
    if (!this.#anyOn) return 'off';
    const routed = routedPath(path);
    if (FAULT_FREE_PATHS.has(routed)) return 'off';
    if (routed === OPERATIONAL_PATHS.readiness) return this.#settings.unready ? 'unready' : 'off';
    return 'inject';
  }

  /** Answers `/readyz` as a drill of `FAULT_UNREADY` wants: 503, naming the variable. */
  answerUnready(ctx: Context): void {
    ctx.status = 503;
    ctx.body = { status: 'unready', reason: `${FAULT_VARIABLES.unready} is set` };
  }

  /**
   * Holds the answer `FAULT_LATENCY_MS` (after the route has run, so the delay does not eat the
   * request's upstream budget), then throws an {@link InjectedError} for the drawn share
   * `FAULT_ERROR_RATIO` (after the route, so the answer counts under its route, as a bug's 500
   * would).
   */
  async inject(): Promise<void> {
    const { errorRatio, latencyMs } = this.#settings;
    if (latencyMs > 0) {
      this.#injected.inc({ fault: 'latency' });
      await this.#sleep(latencyMs);
    }
    if (errorRatio > 0 && this.#random() < errorRatio) {
      this.#injected.inc({ fault: 'error' });
      throw new InjectedError(`${FAULT_VARIABLES.errorRatio}=${errorRatio} failed this request`);
    }
  }
}
