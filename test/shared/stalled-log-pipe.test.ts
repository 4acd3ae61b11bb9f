import { spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../../apps/shared/config.js';
import { waitUntil } from '../support/process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'test/shared/fixtures/stalled-log-pipe.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('a log pipe nobody reads', () => {
  it('does not keep the process from exiting on SIGTERM', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'aviary-stalled-log-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const fifo = join(folder, 'stdout');
    execFileSync('mkfifo', [fifo]);
    // Held open, never read: the writer gets EAGAIN once the pipe is full, never EPIPE.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    cleanups.push(() => [reader, writer].forEach((fd) => closeSync(fd)));
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', writer, 'pipe'],
    });
    cleanups.push(
      () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'),
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitUntil('the fixture to fill its log pipe', 60_000, () => stderr.includes('filled'));

    child.kill('SIGTERM');
    // The budget a pod has before SIGKILL; without a bound the flush retries for ever.
    const code = await Promise.race([
      exited,
      new Promise<string>((resolve) =>
        setTimeout(() => resolve('still running'), DEFAULT_SHUTDOWN_TIMEOUT_MS),
      ),
    ]);
    expect(code, stderr).toBe(0);
  }, 120_000);
});
