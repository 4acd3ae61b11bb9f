import { spawnSync } from 'node:child_process';

/** One program to run, with its arguments and the variables it needs beyond the caller's. */
export interface Command {
  readonly program: string;
  readonly args: readonly string[];
  /** Added to the environment the command inherits. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What a command printed, for the one step whose output decides the plan. */
export interface Captured {
  readonly status: number;
  readonly stdout: string;
}

/** Runs commands; the real one spawns them, a test hands in its own. */
export interface Runner {
  /** Runs `command` with the terminal as its output; returns its exit status. */
  run(command: Command): number;
  /** Runs `command` and returns its standard output (its errors still reach the terminal). */
  capture(command: Command): Captured;
}

/** `command` as a person would type it, for messages. */
export function commandLine(command: Command): string {
  const variables = Object.entries(command.env ?? {}).map(([name, value]) => `${name}=${value}`);
  return [...variables, command.program, ...command.args].join(' ');
}

/** The runner of the real command: each program runs in `cwd`, one after the other. */
export function processRunner(cwd: string): Runner {
  const spawn = (command: Command, stdout: 'inherit' | 'pipe') => {
    const result = spawnSync(command.program, command.args, {
      cwd,
      env: { ...process.env, ...command.env },
      stdio: ['inherit', stdout, 'inherit'],
      encoding: 'utf8',
    });
    // A program that could not start (result.error) or died of a signal has no status.
    return { status: result.status ?? 1, stdout: result.stdout ?? '' };
  };
  return {
    run: (command) => spawn(command, 'inherit').status,
    capture: (command) => spawn(command, 'pipe'),
  };
}
