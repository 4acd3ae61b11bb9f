import type { LevelWithSilent } from 'pino';
import { httpUrl } from './valid-url.js';

/** The environment as `process.env` hands it over. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by a config loader; its message is the one line the service prints before exiting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The image both services answer with when they have nothing better. */
export const MISSINGNO_IMAGE_URL =
  'https://www.pokemonmillennium.net/wp-content/uploads/2015/11/missingno.png';

/** A request's budget for its outbound calls unless `UPSTREAM_TIMEOUT_MS` says otherwise. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;

/**
 * The port each service listens on unless `PORT` says otherwise; bird also finds birdImage on
 * its port when both run on one machine. Here, not in each service's config, because each image
 * holds only its own service and apps/shared.
 */
export const DEFAULT_PORTS = { bird: 4201, birdImage: 4200 } as const;

/** The log level unless `LOG_LEVEL` says otherwise. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/**
 * Requests one process answers at once unless `MAX_IN_FLIGHT_REQUESTS` says otherwise: what it
 * can still answer within the deadline when every one of them times out together
 * (bench/HISTORY.md, section 7).
 */
export const DEFAULT_MAX_IN_FLIGHT = 32;

/** How long a shutdown may take unless `SHUTDOWN_TIMEOUT_MS` says otherwise. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** pino's levels (the compiler checks each against pino's own). */
export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How log lines are written: JSON, readable text, or readable only on a terminal. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Faults an operator switches on for one Deployment (a canary, a staging environment) to see a
 * canary analysis fail or an alert fire, set by `FAULT_ERROR_RATIO`, `FAULT_LATENCY_MS` and
 * `FAULT_UNREADY`. Production never sets them (a chart test reads dist/ to make sure).
 */
export interface FaultSettings {
  /** The share of requests, from 0 to 1, whose answer becomes `500 {"error":"internal error"}`. */
  readonly errorRatio: number;
  /** Milliseconds every answer is held back after it is ready. */
  readonly latencyMs: number;
  /** Whether `/readyz` answers 503 from start to end. */
  readonly unready: boolean;
}

/** The variable that sets each fault, as config reads it and the log line and runbook name it. */
export const FAULT_VARIABLES = {
  errorRatio: 'FAULT_ERROR_RATIO',
  latencyMs: 'FAULT_LATENCY_MS',
  unready: 'FAULT_UNREADY',
} as const satisfies Record<keyof FaultSettings, string>;

/** No fault: the default, and production's. */
export const NO_FAULTS: FaultSettings = Object.freeze({
  errorRatio: 0,
  latencyMs: 0,
  unready: false,
});

/**
 * The longest `FAULT_LATENCY_MS`: ten times the 1 s latency objective, five times the default
 * upstream budget. A longer hold shows nothing more and only piles requests up.
 */
export const MAX_FAULT_LATENCY_MS = 10_000;

/**
 * How one environment variable is read: unset or blank gives its default; any other text is
 * parsed, and a {@link VariableError} says why a value is refused.
 */
export interface Variable<T> {
  readonly read: (text: string | undefined) => T;
}

/** The value a {@link Variable} reads. */
export type VariableValue<V> = V extends Variable<infer T> ? T : never;

/** Why a variable's value is refused, completing "`NAME="value"` …". */
class VariableError extends Error {}

// Kubernetes ConfigMaps and shell scripts often set a variable to '' to mean "not set".
const unlessBlank = (text: string | undefined) => (text?.trim() ? text : undefined);

function variable<T>(parse: (text: string) => T, fallback: T): Variable<T> {
  return {
    read: (text) => {
      const set = unlessBlank(text);
      return set === undefined ? fallback : parse(set);
    },
  };
}

function optionalVariable<T>(parse: (text: string) => T): Variable<T | undefined> {
  return variable<T | undefined>(parse, undefined);
}

/** `text` if `valid`, or a {@link VariableError} saying what it `must` be. */
function check(text: string, valid: boolean, must: string): string {
  if (!valid) throw new VariableError(must);
  return text;
}

const PORT_MESSAGE = 'must be a port number from 0 to 65535';
const parsePort = (text: string) =>
  Number(check(text, /^\d{1,5}$/.test(text) && Number(text) <= 65535, PORT_MESSAGE));

const HTTP_URL_MESSAGE = 'must be an absolute http:// or https:// URL';
const parseHttpUrl = (text: string) =>
  check(text, httpUrl(text) !== undefined, HTTP_URL_MESSAGE)
    // One canonical form, so callers can append paths without doubling slashes.
    .replace(/\/+$/, '');

/** A port, e.g. `PORT`. */
export const portVar = (fallback: number) => variable(parsePort, fallback);

/** A whole number of milliseconds within `[min, 24 h]`. */
export const millisecondsVar = (fallback: number, min = 0) => {
  const message = `must be a whole number of milliseconds from ${min} to 86400000`;
  const inRange = (ms: number) => ms >= min && ms <= 86_400_000;
  return variable(
    (text) => Number(check(text, /^\d{1,8}$/.test(text) && inRange(Number(text)), message)),
    fallback,
  );
};

/** A whole number within `[min, max]`. */
export const wholeNumberVar = (fallback: number, min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return variable(
    (text) => Number(check(text, /^\d{1,9}$/.test(text) && +text >= min && +text <= max, message)),
    fallback,
  );
};

/** A comma-separated list of host names, lower-cased, e.g. `images.unsplash.com,plus.unsplash.com`. */
export const hostListVar = (fallback: readonly string[]) =>
  variable((text) => {
    const hosts = text.split(',').map((host) => host.trim().toLowerCase());
    const valid = hosts.every((host) =>
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host),
    );
    check(text, valid, 'must be a comma-separated list of host names');
    return hosts;
  }, fallback);

/** An absolute http(s) URL without a trailing slash. */
export const urlVar = (fallback: string) => variable(parseHttpUrl, fallback);

/** An optional absolute http(s) URL without a trailing slash. */
export const optionalUrlVar = () => optionalVariable(parseHttpUrl);

/** An optional free-form value, e.g. a file path. */
export const optionalStringVar = () => optionalVariable((text) => text);

/**
 * What a secret must be, wherever it comes from (a variable, a file): printable ASCII without
 * spaces, one line. It travels in a header, where anything else fails every call.
 */
export const SECRET_RULE = {
  holds: (text: string) => /^[\x21-\x7e]+$/.test(text),
  must: 'must be printable ASCII without spaces',
} as const;

/** An optional secret: see {@link SECRET_RULE}; never echoed in errors (see parseEnv). */
export const optionalSecretVar = () =>
  optionalVariable((text) => check(text, SECRET_RULE.holds(text), SECRET_RULE.must));

/** One of a fixed list of words, e.g. a log level. */
export const oneOfVar = <T extends string>(choices: readonly T[], fallback: T) =>
  variable(
    (text) =>
      check(
        text,
        (choices as readonly string[]).includes(text),
        `must be one of ${choices.join(', ')}`,
      ) as T,
    fallback,
  );

/** A share from 0 to 1 written as a decimal, e.g. `0.25`. */
export const ratioVar = (fallback: number) =>
  variable(
    (text) =>
      Number(
        check(
          text,
          /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/.test(text),
          'must be a decimal from 0 to 1, e.g. 0.25',
        ),
      ),
    fallback,
  );

/** `true` or `false`, nothing else: a typo must not silently mean either. */
export const booleanVar = (fallback: boolean) =>
  variable(
    (text) => check(text, text === 'true' || text === 'false', 'must be true or false') === 'true',
    fallback,
  );

/** The interface to listen on. */
export const hostVar = () =>
  variable(
    (text) => check(text, /^[\w.:-]+$/.test(text), 'must be a host name or an IP address'),
    '0.0.0.0',
  );

/** The variables both services read, with the port that differs between them. */
export const commonVariables = (defaultPort: number) => ({
  PORT: portVar(defaultPort),
  HOST: hostVar(),
  LOG_LEVEL: oneOfVar(LOG_LEVELS, DEFAULT_LOG_LEVEL),
  // `auto` is readable text on a terminal and JSON otherwise.
  LOG_FORMAT: oneOfVar(LOG_FORMATS, 'auto'),
  DEFAULT_IMAGE_URL: urlVar(MISSINGNO_IMAGE_URL),
  UPSTREAM_TIMEOUT_MS: millisecondsVar(DEFAULT_UPSTREAM_TIMEOUT_MS, 1),
  SHUTDOWN_DELAY_MS: millisecondsVar(0),
  SHUTDOWN_TIMEOUT_MS: millisecondsVar(DEFAULT_SHUTDOWN_TIMEOUT_MS, 1),
  MAX_IN_FLIGHT_REQUESTS: wholeNumberVar(DEFAULT_MAX_IN_FLIGHT, 1, 100_000),
  // Fault drills (apps/shared/faults.ts): off unless set, never set in production.
  [FAULT_VARIABLES.errorRatio]: ratioVar(NO_FAULTS.errorRatio),
  [FAULT_VARIABLES.latencyMs]: wholeNumberVar(NO_FAULTS.latencyMs, 0, MAX_FAULT_LATENCY_MS),
  [FAULT_VARIABLES.unready]: booleanVar(NO_FAULTS.unready),
});

/** The values of a set of variables, by name. */
export type VariableValues<Shape> = { -readonly [K in keyof Shape]: VariableValue<Shape[K]> };

type CommonVariables = VariableValues<ReturnType<typeof commonVariables>>;

/** Settings both services share, in the shape the code uses. */
export interface CommonConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly defaultImageUrl: string;
  /** A request's budget for its outbound calls, retries and connects included (see deadline.ts). */
  readonly upstreamTimeoutMs: number;
  readonly shutdown: { readonly delayMs: number; readonly timeoutMs: number };
  /** Requests answered at once; more are shed with a 503 (see `LoadShedder`). */
  readonly maxInFlight: number;
  /** Faults switched on for a drill; all off by default (see `Faults`). */
  readonly faults: FaultSettings;
}

/** Maps the shared variables to {@link CommonConfig}. */
export function commonConfig(vars: CommonVariables): CommonConfig {
  return {
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    logFormat: vars.LOG_FORMAT,
    defaultImageUrl: vars.DEFAULT_IMAGE_URL,
    upstreamTimeoutMs: vars.UPSTREAM_TIMEOUT_MS,
    shutdown: { delayMs: vars.SHUTDOWN_DELAY_MS, timeoutMs: vars.SHUTDOWN_TIMEOUT_MS },
    maxInFlight: vars.MAX_IN_FLIGHT_REQUESTS,
    faults: {
      errorRatio: vars[FAULT_VARIABLES.errorRatio],
      latencyMs: vars[FAULT_VARIABLES.latencyMs],
      unready: vars[FAULT_VARIABLES.unready],
    },
  };
}

/**
 * Reads every variable of `shape` from `env`, or throws a {@link ConfigError} whose one-line
 * message names each invalid variable and its value. Values of `secretVariables` are never
 * echoed.
 */
export function parseEnv<Shape extends Record<string, Variable<unknown>>>(
  shape: Shape,
  env: Env,
  secretVariables: readonly string[] = [],
): VariableValues<Shape> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, { read }] of Object.entries(shape)) {
    try {
      values[name] = read(env[name]);
    } catch (error) {
      if (!(error instanceof VariableError)) throw error;
      const shown = secretVariables.includes(name) ? '(hidden)' : JSON.stringify(env[name]);
      problems.push(`${name}=${shown} ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return values as VariableValues<Shape>;
}

/** Freezes a config object and everything in it. */
export function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
