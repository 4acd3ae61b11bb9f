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
  /**
   * How long a flush at exit (or after a `fatal` line) may keep retrying a full output; what is
   * still unwritten then is dropped. @default {@link EXIT_FLUSH_LIMIT_MS}
   */
  readonly exitFlushLimitMs?: number;
  /**
   * Lines below `warn` are gathered and written together once this many bytes wait, or
   * `batchDelayMs` after the first of them, whichever comes first; a `warn` line or worse writes
   * what waits at once. @default 0: every line is handed on as it comes
   */
  readonly batchBytes?: number;
  /** @default 0 */
  readonly batchDelayMs?: number;
}

/**
 * How long the flush at exit retries an output that does not take more (EAGAIN): a reader that
 * stopped reading must not hold the process past its shutdown timeout until SIGKILL.
 */
export const EXIT_FLUSH_LIMIT_MS = 1000;

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
 *
 * Request lines can be gathered into batches ({@link LogOutputLimits.batchBytes}): each write
 * hands a libuv thread a job and wakes the event loop when it ends, which for one line cost more
 * than writing it (bench/HISTORY.md, section 11). Order is kept: a `warn` line writes the batch
 * before it.
 */
export class BoundedLogOutput implements DestinationStream {
  readonly [WANTS_LEVEL] = true;
  /** Set by pino before each {@link write}: the level of the line. */
  lastLevel = 0;
  readonly #sonic: ReturnType<typeof pino.destination>;
  readonly #limits: LogOutputLimits;
  #pendingBytes = 0;
  #dropped = 0;
  #unwrittenAtExitBytes = 0;
  /** While a synchronous flush runs: when it gives up retrying a full output. */
  #flushGivesUpAt = Number.POSITIVE_INFINITY;
  /** While dropping: when it started and how many lines were dropped since. */
  #episode: { readonly startedAt: number; dropped: number } | undefined;
  #announcer: Logger | undefined;
  /** Lines gathered for the next write, and their bytes; see {@link LogOutputLimits.batchBytes}. */
  #batch: string[] = [];
  #batchBytes = 0;
  #batchTimer: NodeJS.Timeout | undefined;

  constructor(limits: LogOutputLimits) {
    this.#limits = limits;
    this.#sonic = pino.destination({
      dest: limits.fd ?? 1,
      sync: false,
      // SonicBoom's own bound, never reached first: this class drops before it would.
      maxLength: limits.maxBufferedBytes + limits.reserveBytes + 64 * 1024,
      // SonicBoom retries EAGAIN forever; a synchronous flush stops once its time is up.
      retryEAGAIN: () => Date.now() < this.#flushGivesUpAt,
    });
    // pino registers the destination's `flushSync` to run at exit: bounded here, so a stalled
    // pipe cannot keep the process from exiting.
    const unboundedFlushSync = this.#sonic.flushSync.bind(this.#sonic);
    this.#sonic.flushSync = () => {
      this.#writeBatch();
      this.#flushSyncWithin(unboundedFlushSync, limits.exitFlushLimitMs ?? EXIT_FLUSH_LIMIT_MS);
    };
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

  /** Bytes a synchronous flush gave up on because the output took no more in time. */
  get unwrittenAtExitBytes(): number {
    return this.#unwrittenAtExitBytes;
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
    this.#batch.push(line);
    this.#batchBytes += bytes;
    if (important || this.#batchBytes >= (this.#limits.batchBytes ?? 0)) {
      this.#writeBatch();
    } else {
      this.#batchTimer ??= setTimeout(() => this.#writeBatch(), this.#limits.batchDelayMs).unref();
    }
  }

  /** Hands what waits in the batch to SonicBoom, as one write. */
  #writeBatch(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#batch.length === 0) return;
    const lines = this.#batch.length === 1 ? this.#batch[0]! : this.#batch.join('');
    this.#batch = [];
    this.#batchBytes = 0;
    this.#sonic.write(lines);
  }

  /**
   * For pino: writes what is waiting before the process exits (after a `fatal` line), retrying
   * a full output for at most `exitFlushLimitMs`; the bytes then left are counted in
   * {@link unwrittenAtExitBytes}.
   */
  flushSync(): void {
    this.#sonic.flushSync();
  }

  #flushSyncWithin(unboundedFlushSync: () => void, limitMs: number): void {
    this.#flushGivesUpAt = Date.now() + limitMs;
    try {
      unboundedFlushSync();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EBUSY') throw error;
      // Still held, and still counted as waiting: a later write may yet take them.
      this.#unwrittenAtExitBytes = this.#pendingBytes;
    } finally {
      this.#flushGivesUpAt = Number.POSITIVE_INFINITY;
    }
  }

  /** For pino's `logger.flush()`. */
  flush(done?: (error?: Error) => void): void {
    this.#writeBatch();
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
