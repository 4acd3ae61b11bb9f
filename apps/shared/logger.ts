import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Added to every line, so mixed logs stay attributable. @default undefined */
  readonly service?: string;
  /** Where lines go. @default standard output */
  readonly destination?: DestinationStream;
}

/**
 * A JSON logger writing one line per event.
 *
 * Credentials are redacted by path as a second line of defence: the code never logs them, and
 * this keeps a future `logger.info({ headers })` from leaking one.
 */
export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: options.service ? { service: options.service } : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Exact paths, no wildcards: pino re-parses wildcard paths for every field of every line,
      // which cost about a tenth of bird's CPU under load (bench/RESULTS.md).
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'req.headers.authorization',
          'unsplashAccessKey',
          'config.unsplashAccessKey',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
