import { describe, expect, it } from 'vitest';
import { commandLine, processRunner } from '../../scripts/local-cluster/runner.js';
import { REPO_ROOT } from '../image/dockerfile.js';

const node = (script: string, env?: Record<string, string>) => ({
  program: process.execPath,
  args: ['-e', script],
  env,
});

describe('processRunner', () => {
  const runner = processRunner(REPO_ROOT);

  it('returns the exit status of the program it runs', () => {
    expect(runner.run(node('process.exit(3)'))).toBe(3);
    expect(runner.run(node('process.exit(0)'))).toBe(0);
  });

  it('captures standard output, with the command’s variables added to the caller’s', () => {
    const captured = runner.capture(
      node(
        'process.stdout.write(`${process.env.ADDED} ${process.cwd()} ${typeof process.env.PATH}`)',
        {
          ADDED: 'yes',
        },
      ),
    );
    expect(captured).toEqual({ status: 0, stdout: `yes ${REPO_ROOT.replace(/\/$/, '')} string` });
  });

  it('fails, never throws, when the program does not exist', () => {
    expect(runner.run({ program: 'no-such-program-aviary', args: [] })).toBe(1);
  });
});

describe('commandLine', () => {
  it('writes the variables first, as a shell would take them', () => {
    expect(commandLine({ program: 'kind', args: ['get', 'clusters'], env: { A: 'b' } })).toBe(
      'A=b kind get clusters',
    );
  });
});
