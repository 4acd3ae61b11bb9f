import { z } from 'zod';

/** The environment as `process.env` hands it over. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by a config loader; its message is the one line the service prints before exiting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The image both services answer with when they have nothing better. */
export const MISSINGNO_IMAGE_URL =
  'https://www.pokemonmillennium.net/wp-content/uploads/2015/11/missingno.png';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Kubernetes ConfigMaps and shell scripts often set a variable to '' to mean "not set".
const blankAsUnset = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

function variable<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankAsUnset, schema);
}

const portNumber = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535')
  .transform(Number)
  .refine((port) => port <= 65535, 'must be a port number from 0 to 65535');

/** A port, e.g. `PORT`. */
export const portVar = (fallback: number) => variable(portNumber.default(fallback));

/** A whole number of milliseconds within `[min, 24 h]`. */
export const millisecondsVar = (fallback: number, min = 0) => {
  const message = `must be a whole number of milliseconds from ${min} to 86400000`;
  return variable(
    z
      .string()
      .regex(/^\d{1,8}$/, message)
      .transform(Number)
      .refine((ms) => ms >= min && ms <= 86_400_000, message)
      .default(fallback),
  );
};

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an absolute http:// or https:// URL',
  })
  // One canonical form, so callers can append paths without doubling slashes.
  .transform((value) => value.replace(/\/+$/, ''));

/** An absolute http(s) URL without a trailing slash. */
export const urlVar = (fallback: string) => variable(httpUrl.default(fallback));

/** An optional absolute http(s) URL without a trailing slash. */
export const optionalUrlVar = () => variable(httpUrl.optional());

/** An optional free-form value, e.g. a file path. */
export const optionalStringVar = () => variable(z.string().optional());

/** An optional secret: printable ASCII without spaces, never echoed in errors (see parseEnv). */
export const optionalSecretVar = () =>
  variable(
    z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
  );

/** A pino log level. */
export const logLevelVar = () =>
  variable(
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  );

/** The interface to listen on. */
export const hostVar = () =>
  variable(
    z
      .string()
      .regex(/^[\w.:-]+$/, 'must be a host name or an IP address')
      .default('0.0.0.0'),
  );

/** The variables both services read, with the port that differs between them. */
export const commonVariables = (defaultPort: number) => ({
  PORT: portVar(defaultPort),
  HOST: hostVar(),
  LOG_LEVEL: logLevelVar(),
  DEFAULT_IMAGE_URL: urlVar(MISSINGNO_IMAGE_URL),
  UPSTREAM_TIMEOUT_MS: millisecondsVar(2000, 1),
  SHUTDOWN_DELAY_MS: millisecondsVar(0),
  SHUTDOWN_TIMEOUT_MS: millisecondsVar(10_000, 1),
});

type CommonVariables = z.output<z.ZodObject<ReturnType<typeof commonVariables>>>;

/** Settings both services share, in the shape the code uses. */
export interface CommonConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly defaultImageUrl: string;
  /** Deadline of every outbound call, retries and connect included. */
  readonly upstreamTimeoutMs: number;
  readonly shutdown: { readonly delayMs: number; readonly timeoutMs: number };
}

/** Maps the shared variables to {@link CommonConfig}. */
export function commonConfig(vars: CommonVariables): CommonConfig {
  return {
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    defaultImageUrl: vars.DEFAULT_IMAGE_URL,
    upstreamTimeoutMs: vars.UPSTREAM_TIMEOUT_MS,
    shutdown: { delayMs: vars.SHUTDOWN_DELAY_MS, timeoutMs: vars.SHUTDOWN_TIMEOUT_MS },
  };
}

/**
 * Parses `env` with `schema`, or throws a {@link ConfigError} whose one-line message names each
 * invalid variable and its value. Values of `secretVariables` are never echoed.
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Env,
  secretVariables: readonly string[] = [],
): z.output<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const shown = secretVariables.includes(name) ? '(hidden)' : JSON.stringify(env[name]);
    return `${name}=${shown} ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** Freezes a config object and everything in it. */
export function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
