import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs npm in `cwd` with the test's environment, less what `npm run` adds for its scripts. */
export async function npm(args: readonly string[], cwd: string): Promise<void> {
  // npm_config_local_prefix and its kin would point the inner npm at the repository.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
  await run('npm', args, { cwd, env });
}
