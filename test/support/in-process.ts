import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { CommonConfig, Env } from '../../apps/shared/config.js';
import type { ServiceAppDependencies } from '../../apps/shared/http/create-service-app.js';
import { runService } from '../../apps/shared/run-service.js';
import type { ServiceDefinition } from '../../apps/shared/service.js';
import { findLogLine, waitUntil } from './process.js';
import { closeWhenDone } from './teardown.js';

/** A service run by `runService` inside the test's process, with a process of its own faked. */
export interface InProcessService {
  /** Everything written to its standard output (the log lines) so far. */
  readonly stdout: () => string;
  /** Everything written to its standard error so far. */
  readonly stderr: () => string;
  /** Complete stdout lines, as written. */
  readonly stdoutLines: () => string[];
  /** Settles with the code it exited with, once it has. */
  readonly exited: Promise<number>;
  /** The code it exited with, or `undefined` while it runs. */
  readonly exitCode: () => number | undefined;
  /** Sends it a signal, as the process would receive one. */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** Resolves with the first JSON log line whose `msg` is `msg`, once one is written. */
  readonly waitForLog: (msg: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
  /** Reads the port from the `listening` log line. */
  readonly waitForPort: (timeoutMs?: number) => Promise<number>;
  /** Shuts it down as SIGTERM does, if it still runs, and resolves once it has exited. */
  readonly stop: () => Promise<number>;
}

/**
 * Runs `definition` through `runService`, as its server.ts does, but in this process: `env` is
 * all it reads, its output is kept, its exit is recorded instead of ending the process, and
 * signals are sent with {@link InProcessService.signal}. Resolves once it listens or has exited;
 * stopped when the test is done, if still running (see `closeWhenDone`).
 */
export async function runInProcess<C extends CommonConfig, D extends ServiceAppDependencies>(
  definition: ServiceDefinition<C, D>,
  env: Env,
): Promise<InProcessService> {
  const output = { stdout: '', stderr: '' };
  const capture = (stream: keyof typeof output) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        output[stream] += chunk.toString();
        done();
      },
    });
  const events = new EventEmitter();
  let exitCode: number | undefined;
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    exit = (code) => {
      // The first exit ends a process; a real one never calls a second.
      if (exitCode !== undefined) return;
      exitCode = code;
      resolve(code);
    };
  });
  const stdoutLines = () => output.stdout.split('\n').slice(0, -1);
  const service: InProcessService = {
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    stdoutLines,
    exited,
    exitCode: () => exitCode,
    signal: (signal) => void events.emit(signal, signal),
    waitForLog: async (msg, timeoutMs = 5_000) => {
      let found: Record<string, unknown> | undefined;
      await waitUntil(`${definition.name} to log "${msg}"`, timeoutMs, () => {
        found = findLogLine(stdoutLines(), msg);
        if (found === undefined && exitCode !== undefined) {
          throw new Error(`${definition.name} exited ${exitCode} without logging "${msg}"`);
        }
        return found !== undefined;
      });
      return found!;
    },
    waitForPort: async (timeoutMs) =>
      Number((await service.waitForLog('listening', timeoutMs)).port),
    stop: () => {
      if (exitCode === undefined) service.signal('SIGTERM');
      return exited;
    },
  };
  closeWhenDone(service.stop);
  await runService(definition, {
    env,
    stdout: capture('stdout'),
    stderr: capture('stderr'),
    exit,
    events,
  });
  return service;
}
