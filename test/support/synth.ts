import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** The repository's root folder. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

const run = promisify(execFile);

/**
 * Runs `npm run synth`'s entry point (charts/main.ts) in the repository with `args`, and with
 * exactly the variables of `env`: nothing from the caller's shell decides otherwise.
 */
export async function runSynth(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  await run(process.execPath, ['--import', 'tsx', 'charts/main.ts', ...args], {
    cwd: REPO_ROOT,
    env,
  });
}

/** How {@link runSynth} failed: its exit code and standard error; undefined if it did not. */
export async function synthFailure(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code?: number; stderr?: string } | undefined> {
  return runSynth(args, env).then(
    () => undefined,
    (reason: unknown) => reason as { code?: number; stderr?: string },
  );
}
