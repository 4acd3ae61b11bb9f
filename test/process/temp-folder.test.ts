import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { expect, it } from 'vitest';

// test/support/temp-root.ts gives the run one temporary folder and removes it afterwards;
// anything that bypassed it would be left behind in the machine's temporary folder.
it('puts everything the tests create under one temporary folder removed after the run', () => {
  expect(basename(tmpdir())).toMatch(/^aviary-test-/);
  expect(dirname(tmpdir())).not.toBe(tmpdir());
});
