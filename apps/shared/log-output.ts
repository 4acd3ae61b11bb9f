import { pino, type DestinationStream, type Logger } from 'pino';

/** Where {@link BoundedLogOutput} writes and how much it holds. */
export interface LogOutputLimits {
  /** The file descriptor lines go to. @default 1, standard output */
  readonly fd?: number;
  /**
   * Bytes waiting to be written past which lines below `warn` are dropped; dropping stops once
   * fewer than half of them wait.
   */
  readonly maxBufferedBytes: number;
  /** Bytes more kept for `warn`, `error` and `fatal` lines and the drop notices. */
  readonly reserveBytes: number;
}

// pino's numeric levels (https://getpino.io/#/docs/api?id=loggerlevels-object).
const WARN_LEVEL = 40;
// pino sets `lastLevel` on a stream carrying this symbol before each line it writes to it.
const WANTS_LEVEL = Symbol.for('pino.metadata');

/**
 * An asynchronous writer of log lines (pino's SonicBoom) that holds a bounded backlog and says
 * when it drops. A reader that stops reading (a stalled pipe, a saturated event loop behind a
 * file) must not grow the heap, so past `maxBufferedBytes` waiting, lines below `warn` (request
 * lines) are dropped until half of it is written; `warn` lines and worse are kept within
 * `reserveBytes` more. Every dropped line is counted ({@link droppedLogLines}), and once a logger
 * announces through it ({@link BoundedLogOutput.announceTo}), one `warn` line says when dropping
 * starts and one when it stops, with how many were dropped.
 */
export class BoundedLogOutput implements DestinationStream {
  readonly [WANTS_LEVEL] = true;
  /** Set by pino before each {@link write}: the level of the line. */
  lastLevel = 0;
  readonly #sonic: ReturnType<typeof pino.destination>;
  readonly #limits: LogOutputLimits;
  #pendingBytes = 0;
  #dropped = 0;
  /** While dropping: when it started and how many lines were dropped since. */
  #episode: { readonly startedAt: number; dropped: number } | undefined;
  #announcer: Logger | undefined;

  constructor(limits: LogOutputLimits) {
    this.#limits = limits;
    this.#sonic = pino.destination({
      dest: limits.fd ?? 1,
      sync: false,
      // SonicBoom's own bound, never reached first: this class drops before it would.
      maxLength: limits.maxBufferedBytes + limits.reserveBytes + 64 * 1024,
    });
    this.#sonic.on('write', (bytes: number) => {
      this.#pendingBytes -= bytes;
      if (this.#episode !== undefined && this.#pendingBytes <= limits.maxBufferedBytes / 2) {
        this.#stopDropping();
      }
    });
    this.#sonic.on('drop', () => this.#drop());
  }

  /** Lines dropped since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Where the start and the end of dropping are announced, as `warn` lines. */
  announceTo(logger: Logger): void {
    this.#announcer = logger;
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    const important = this.lastLevel >= WARN_LEVEL;
    const { maxBufferedBytes, reserveBytes } = this.#limits;
    const room = important ? maxBufferedBytes + reserveBytes : maxBufferedBytes;
    // Also here, not only as writes complete: a single line too large starts an episode that
    // no write would end.
    if (this.#episode !== undefined && this.#pendingBytes <= maxBufferedBytes / 2) {
      this.#stopDropping();
    }
    if (this.#pendingBytes + bytes > room || (this.#episode !== undefined && !important)) {
      this.#drop();
      return;
    }
    this.#pendingBytes += bytes;
    this.#sonic.write(line);
  }

  /** For pino: writes what is waiting before the process exits (after a `fatal` line). */
  flushSync(): void {
    this.#sonic.flushSync();
  }

  /** For pino's `logger.flush()`. */
  flush(done?: (error?: Error) => void): void {
    this.#sonic.flush(done);
  }

  #drop(): void {
    this.#dropped += 1;
    if (this.#episode !== undefined) {
      this.#episode.dropped += 1;
      return;
    }
    this.#episode = { startedAt: Date.now(), dropped: 1 };
    const pendingBytes = this.#pendingBytes;
    // After the line being written: pino is in the middle of writing it.
    queueMicrotask(() =>
      this.#announcer?.warn(
        { pendingBytes, maxBufferedBytes: this.#limits.maxBufferedBytes },
        'log lines dropped: the output is not keeping up',
      ),
    );
  }

  #stopDropping(): void {
    const { startedAt, dropped } = this.#episode!;
    this.#episode = undefined;
    // After SonicBoom has settled the write it is reporting.
    queueMicrotask(() =>
      this.#announcer?.warn(
        { dropped, durationMs: Date.now() - startedAt },
        'log lines no longer dropped',
      ),
    );
  }
}

/** Log lines `logger`'s output has dropped since start: 0 for an output that never drops. */
export function droppedLogLines(logger: Logger): number {
  const output = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return output instanceof BoundedLogOutput ? output.dropped : 0;
}
