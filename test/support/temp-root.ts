import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global set-up: points `TMPDIR` at one fresh folder for the whole run and removes it
 * afterwards. Everything the tests, the libraries they drive (cdk8s's `Testing.app()` makes a
 * folder per call) and the processes they start put in the temporary folder goes with it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'aviary-test-'));
  // Read by os.tmpdir() in this process and in the test workers, which start after this.
  process.env.TMPDIR = root;
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
