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

/** The fields of a request's log line, in the order they are written. */
export interface RequestLine {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly path: string;
  readonly durationMs: number;
  readonly requestId: string;
}

// pino's numeric level of `info` (https://getpino.io/#/docs/api?id=loggerlevels-object).
const INFO_LEVEL = 30;

/** An output as pino sees it: one that asks for metadata gets each line's level first. */
type PinoStream = DestinationStream & { lastLevel?: number } & Record<symbol, unknown>;

/**
 * Writes each request's `info` line to `logger`'s output, byte for byte what
 * `logger.info(line, 'request')` writes, at half its cost: the fields are known, so the line is
 * one template instead of pino's walk over an object (bench/HISTORY.md, section 12). The level,
 * time, bindings, message key and end come from the logger itself (`pino.symbols`), so a child
 * logger's bindings and the formatters above hold as they do for pino's own lines;
 * test/shared/logger.test.ts compares the two. One difference: a lone surrogate is escaped here
 * (`JSON.stringify`) where pino copies it raw; no request carries one (Node's parser refuses a
 * request target with bytes above 0x7f, and the id and route are checked or ours).
 *
 * It knows only the options {@link createLogger} sets: a logger given a `msgPrefix`, `mixin`,
 * hooks or per-child formatters must log its requests through `logger.info` again.
 */
export function requestLineWriter(logger: Logger): (line: RequestLine) => void {
  const part = <T>(symbol: symbol) => (logger as unknown as Record<symbol, T>)[symbol]!;
  const { lsCacheSym, timeSym, chindingsSym, endSym, messageKeySym, streamSym, needsMetadataGsym } =
    pino.symbols;
  const time = part<() => string>(timeSym);
  const message = `,${JSON.stringify(part<string>(messageKeySym))}:"request"${part<string>(endSym)}`;
  return (line) => {
    if (!logger.isLevelEnabled('info')) return;
    // The output, level prefix and bindings are read per line, as pino does
    // (`logger.setBindings` replaces the bindings).
    const stream = part<PinoStream>(streamSym);
    // As pino does before each line, for an output that reads a line's level (BoundedLogOutput).
    if (stream[needsMetadataGsym] === true) stream.lastLevel = INFO_LEVEL;
    stream.write(
      `${part<Record<number, string>>(lsCacheSym)[INFO_LEVEL]}${time()}${part<string>(chindingsSym)}` +
        `,"method":${JSON.stringify(line.method)},"route":${JSON.stringify(line.route)}` +
        `,"status":${line.status},"path":${JSON.stringify(line.path)}` +
        `,"durationMs":${line.durationMs},"requestId":${JSON.stringify(line.requestId)}${message}`,
    );
  };
}
