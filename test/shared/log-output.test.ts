import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServiceAppDependencies } from '../../apps/shared/http/create-service-app.js';
import { BoundedLogOutput, droppedLogLines } from '../../apps/shared/log-output.js';
import { createLogger } from '../../apps/shared/logger.js';
import { sampleValue } from '../support/telemetry.js';

// A stalled reader, for real: a FIFO nobody reads until the test says so. The kernel holds
// 64 KiB of it; past that every write waits (EAGAIN), and the backlog is the output's.

const LIMITS = { maxBufferedBytes: 128 * 1024, reserveBytes: 16 * 1024 };
const REQUEST_LINES = 4_000;

let folder: string;
let writeEnd: number;
let readEnd: number;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'aviary-log-output-'));
  const fifo = join(folder, 'stdout');
  // mkfifo is coreutils; without it the test fails here, as it should.
  execFileSync('mkfifo', [fifo]);
  // Read-write: opening either end alone would wait for the other.
  writeEnd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
});
afterEach(() => {
  closeSync(readEnd);
  rmSync(folder, { recursive: true, force: true });
});

/** Reads the FIFO until `done` holds for what was read, or 10 s pass; the lines, parsed. */
async function readUntil(done: (lines: Record<string, unknown>[]) => boolean) {
  const buffer = Buffer.alloc(64 * 1024);
  let text = '';
  const parsed = () =>
    text
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const deadline = Date.now() + 10_000;
  while (!done(parsed())) {
    if (Date.now() > deadline) throw new Error(`not done after 10 s; read ${text.length} bytes`);
    try {
      const bytes = readSync(readEnd, buffer);
      text += buffer.toString('utf8', 0, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await sleep(20);
    }
  }
  return parsed();
}

describe('BoundedLogOutput, behind a reader that stopped reading', () => {
  it('drops request lines past its bound, keeps warnings, counts the drops and announces them', async () => {
    const logger = createLogger('info', {
      destination: new BoundedLogOutput({ fd: writeEnd, ...LIMITS }),
    });
    const deps = createServiceAppDependencies(logger);
    for (let index = 0; index < REQUEST_LINES; index += 1) {
      logger.info({ index, route: '/', status: 200 }, 'request');
    }
    logger.warn('a warning logged while dropping');
    const dropped = droppedLogLines(logger);
    // 4,000 lines of ~90 bytes are ~360 KB: far more than the bound holds.
    expect(dropped).toBeGreaterThan(REQUEST_LINES / 2);
    expect(dropped).toBeLessThan(REQUEST_LINES);
    const exposition = await deps.metrics.registry.metrics();
    expect(sampleValue(exposition, 'log_lines_dropped_total')).toBe(dropped);

    // The reader comes back: what was kept arrives, then the end of dropping is announced.
    const lines = await readUntil((read) =>
      read.some((line) => line.msg === 'log lines no longer dropped'),
    );
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.length + dropped).toBe(REQUEST_LINES);
    // The oldest are kept, in order: a backlog is written, never reordered.
    expect(requests.map((line) => line.index)).toEqual(requests.map((_line, index) => index));
    expect(lines.map((line) => line.msg)).toEqual([
      ...requests.map(() => 'request'),
      'a warning logged while dropping',
      'log lines dropped: the output is not keeping up',
      'log lines no longer dropped',
    ]);
    expect(lines.at(-2)).toMatchObject({
      level: 'warn',
      maxBufferedBytes: LIMITS.maxBufferedBytes,
    });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', dropped });

    // Dropping has stopped: a request line goes out again.
    logger.info({ index: REQUEST_LINES }, 'request');
    const after = await readUntil((read) => read.length > 0);
    expect(after).toMatchObject([{ msg: 'request', index: REQUEST_LINES }]);
    expect(droppedLogLines(logger)).toBe(dropped);
  });

  it('counts nothing while the reader keeps up', async () => {
    const logger = createLogger('info', {
      destination: new BoundedLogOutput({ fd: writeEnd, ...LIMITS }),
    });
    const deps = createServiceAppDependencies(logger);
    for (let index = 0; index < 100; index += 1) logger.info({ index }, 'request');
    const lines = await readUntil((read) => read.length === 100);
    expect(lines.every((line) => line.msg === 'request')).toBe(true);
    expect(sampleValue(await deps.metrics.registry.metrics(), 'log_lines_dropped_total')).toBe(0);
  });
});

describe('BoundedLogOutput, batching request lines', () => {
  const BATCHED = { ...LIMITS, batchBytes: 64 * 1024, batchDelayMs: 300 };
  const nothingWritten = () => expect(() => readSync(readEnd, Buffer.alloc(1))).toThrow(/EAGAIN/);

  it('holds request lines until a warning, then writes them before it, in order', async () => {
    const logger = createLogger('info', {
      destination: new BoundedLogOutput({ fd: writeEnd, ...BATCHED }),
    });
    for (let index = 0; index < 3; index += 1) logger.info({ index }, 'request');
    await sleep(50);
    nothingWritten();
    logger.warn('a warning');
    const lines = await readUntil((read) => read.length === 4);
    expect(lines.map((line) => line.index ?? line.msg)).toEqual([0, 1, 2, 'a warning']);
  });

  it('writes a batch once its bytes are reached, and the rest after the delay', async () => {
    const logger = createLogger('info', {
      destination: new BoundedLogOutput({ fd: writeEnd, ...BATCHED, batchBytes: 1000 }),
    });
    // Lines of about 100 bytes: the tenth or so fills the batch, the rest wait for the delay.
    for (let index = 0; index < 15; index += 1) logger.info({ index }, 'request');
    const first = await readUntil((read) => read.length > 0);
    expect(first.length).toBeGreaterThanOrEqual(9);
    expect(first.length).toBeLessThan(15);
    await sleep(50);
    nothingWritten();
    const rest = await readUntil((read) => read.length === 15 - first.length);
    expect([...first, ...rest].map((line) => line.index)).toEqual([...Array(15).keys()]);
  });

  it('writes what waits when the process exits', () => {
    const script = [
      `import { BoundedLogOutput } from '${new URL('../../apps/shared/log-output.ts', import.meta.url).pathname}';`,
      `import { createLogger } from '${new URL('../../apps/shared/logger.ts', import.meta.url).pathname}';`,
      `const logger = createLogger('info', { destination: new BoundedLogOutput({ maxBufferedBytes: 65536, reserveBytes: 1024, batchBytes: 65536, batchDelayMs: 60000 }) });`,
      `for (let index = 0; index < 3; index += 1) logger.info({ index }, 'request');`,
    ].join('\n');
    const stdout = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { index: number }).index),
    ).toEqual([0, 1, 2]);
  });
});
