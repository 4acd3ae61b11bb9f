import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { closeWhenDone } from './teardown.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The services' real entry points, run from source through tsx. */
export const ENTRY_POINTS = {
  bird: 'apps/bird/server.ts',
  'bird-image': 'apps/bird-image/server.ts',
} as const;

export type ServiceName = keyof typeof ENTRY_POINTS;

/** How a child process ended; `at` is `performance.now()` when it did. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

/** A service running as a child process, with everything it wrote. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Settles when the process has exited. */
  readonly exited: Promise<Exit>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Complete stdout lines, as written. */
  readonly stdoutLines: () => string[];
  /** Resolves with the first JSON log line whose `msg` is `msg`, once one is written. */
  readonly waitForLog: (msg: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
  /** Resolves with the exit, or rejects when the process is still alive `timeoutMs` later. */
  readonly waitForExit: (timeoutMs?: number) => Promise<Exit>;
  /** Reads the port from the `listening` log line. */
  readonly waitForPort: (timeoutMs?: number) => Promise<number>;
  /** Kills the process (SIGKILL) if it is still running; resolves once it is gone. */
  readonly kill: () => Promise<Exit>;
}

/**
 * Starts `node --import tsx <entry>` from the repository root with only PATH, HOME and `env`:
 * nothing from the test runner's environment leaks into the service's configuration. With
 * `compiled`, runs the build instead (`build/apps/<name>/server.js`, from `npm run build`): it
 * starts in a fraction of the time, which counts when a test starts several. Killed (SIGKILL)
 * when the test is done, if still running (see `closeWhenDone`).
 */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  { compiled = false } = {},
): ServiceProcess {
  const args = compiled
    ? [ENTRY_POINTS[name].replace(/^apps\/(.*)\.ts$/, 'build/apps/$1.js')]
    : ['--import', 'tsx', ENTRY_POINTS[name]];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let closed = false;
  const exited = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': by then stdout and stderr have been read to the end.
    child.once('close', (code, signal) => {
      closed = true;
      resolve({ code, signal, at: performance.now() });
    });
  });

  const stdoutLines = () => stdout.split('\n').slice(0, -1);
  const describeExit = () =>
    `code ${child.exitCode}, signal ${child.signalCode}; stdout: ${stdout}; stderr: ${stderr}`;
  const service: ServiceProcess = {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    stdoutLines,
    waitForLog: async (msg, timeoutMs = 10_000) => {
      let found: Record<string, unknown> | undefined;
      await waitUntil(`${name} to log "${msg}"`, timeoutMs, () => {
        found = findLogLine(stdoutLines(), msg);
        // Once the process is gone and its output drained, the line will never come.
        if (found === undefined && closed) {
          throw new Error(`${name} exited (${describeExit()}) without logging "${msg}"`);
        }
        return found !== undefined;
      });
      return found!;
    },
    waitForExit: async (timeoutMs = 10_000) => {
      const timeout = sleep(timeoutMs, undefined, { ref: false });
      const exit = await Promise.race([exited, timeout]);
      if (exit === undefined) throw new Error(`${name} still running after ${timeoutMs} ms`);
      return exit;
    },
    waitForPort: async (timeoutMs = 10_000) =>
      Number((await service.waitForLog('listening', timeoutMs)).port),
    kill: () => {
      if (!closed) child.kill('SIGKILL');
      return exited;
    },
  };
  closeWhenDone(service.kill);
  return service;
}

/** Polls `condition` every 10 ms; rejects when it is still false after `timeoutMs`. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  condition: () => boolean,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(10);
  }
}

/** The first of `lines` that is a JSON log line whose `msg` is `msg`, parsed. */
export function findLogLine(
  lines: readonly string[],
  msg: string,
): Record<string, unknown> | undefined {
  return lines.map(parseOrUndefined).find((line) => line?.msg === msg);
}

function parseOrUndefined(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
