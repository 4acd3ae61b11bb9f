import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { BoundedLogOutput } from './log-output.js';

export type { Logger };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Added to every line, so mixed logs stay attributable. @default undefined */
  readonly service?: string;
  /**
   * Where lines go. @default standard output, written asynchronously, with a bounded backlog
   * (see below)
   */
  readonly destination?: DestinationStream;
}

/**
 * Standard output's backlog: request lines waiting beyond 16 MiB are dropped rather than held
 * (a reader that stopped reading must not grow the heap until the pod is killed for it), and
 * `warn` lines and worse get 1 MiB more. Request lines go out in batches of 16 KiB, or 100 ms
 * after the first of a batch: bird's request lines are about 200 bytes, so at 4,000 requests a
 * second that is 50 writes instead of 4,000.
 */
export const STDOUT_LOG_LIMITS = {
  maxBufferedBytes: 16 * 1024 * 1024,
  reserveBytes: 1024 * 1024,
  batchBytes: 16 * 1024,
  batchDelayMs: 100,
};

/**
 * A JSON logger writing one line per event.
 *
 * Standard output is written asynchronously, request lines in batches (see
 * {@link STDOUT_LOG_LIMITS}): a synchronous write per line cost bird 6–9 % of its CPU under load
 * (bench/HISTORY.md, section 1), an asynchronous one more (section 11). A `warn` line or worse
 * writes what waits at once (as the `listening` and `shutdown: draining` lines do, by
 * `logger.flush()`). pino flushes what is pending when the process exits and after every
 * `fatal` line, so only a SIGKILL can lose the `info` and `debug` lines of the last 100 ms, or an
 * output that takes nothing for `EXIT_FLUSH_LIMIT_MS`: the flush gives up then, so a stalled pipe
 * cannot keep the process from exiting. When
 * the output does not keep up, request lines are dropped, counted and announced (see
 * `BoundedLogOutput`).
 *
 * Credentials are redacted by path as a second line of defence: the code never logs them, and
 * this keeps a future `logger.info({ headers })` from leaking one.
 */
export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? new BoundedLogOutput(STDOUT_LOG_LIMITS);
  const logger = pino(
    {
      level,
      base: options.service ? { service: options.service } : {},
      timestamp: isoTimeByMillisecond(),
      formatters: { level: (label) => ({ level: label }) },
      // Exact paths, no wildcards: pino re-parses wildcard paths for every field of every line,
      // which cost about a tenth of bird's CPU under load (bench/HISTORY.md, section 1).
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
    destination,
  );
  if (destination instanceof BoundedLogOutput) destination.announceTo(logger);
  return logger;
}

/**
 * pino's `isoTime`, formatted once per millisecond rather than once per line: under load many
 * lines share a millisecond, and `toISOString` was the costliest part of a request's line.
 */
function isoTimeByMillisecond(): () => string {
  let formattedMs = Number.NaN;
  let formatted = '';
  return () => {
    const now = Date.now();
    if (now !== formattedMs) {
      formattedMs = now;
      formatted = `,"time":"${new Date(now).toISOString()}"`;
    }
    return formatted;
  };
}
