import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import setUpTempRoot from '../support/temp-root.js';

const run = promisify(execFile);
const runTmpdir = process.env.TMPDIR;

afterEach(() => {
  // The set-up under test moves TMPDIR for this worker; the run's own folder comes back.
  if (runTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = runTmpdir;
});

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

it('runs the tests under a fresh folder of its own, not the machine temporary folder', () => {
  expect(basename(tmpdir())).toMatch(/^aviary-test-/);
});

it('points this process and the processes it starts at one new folder, removed with its contents afterwards', async () => {
  const parent = tmpdir();
  const tearDown = await setUpTempRoot();
  const root = tmpdir();
  expect(dirname(root)).toBe(parent);
  expect(basename(root)).toMatch(/^aviary-test-/);
  // What a child process takes for its temporary folder: the tests start servers and CLIs.
  const { stdout } = await run(process.execPath, ['-p', 'require("node:os").tmpdir()']);
  expect(stdout.trim()).toBe(root);
  // Left behind the way cdk8s's Testing.app() leaves its output: a nested, non-empty folder.
  await mkdir(join(root, 'cdk8s-out'));
  await writeFile(join(root, 'cdk8s-out', 'chart.k8s.yaml'), 'kind: List\n');

  await tearDown();

  expect(await exists(root)).toBe(false);
  expect(await exists(parent)).toBe(true);
});
