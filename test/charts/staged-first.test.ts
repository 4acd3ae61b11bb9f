import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RELEASE_TAGS_FILE, type ReleaseTags } from '../../charts/releases/release-tags.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TAGS = path.relative(ROOT, RELEASE_TAGS_FILE);
const SCRIPT = 'charts/releases/staged-first.ts';
const run = promisify(execFile);

/** A git repository on `main` holding the check and a release tags file, tags 0.1.0 and 0.1.0. */
async function scratchRepository() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aviary-staged-first-'));
  // The check and what it imports: the tag rule of charts/constructs, which reads apps/shared.
  for (const folder of ['charts', 'apps']) {
    cpSync(path.join(ROOT, folder), path.join(dir, folder), { recursive: true });
  }
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const git = async (...args: string[]) =>
    (await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir })).stdout;
  const commitTags = async (tags: ReleaseTags, message: string) => {
    writeFileSync(path.join(dir, TAGS), `${JSON.stringify(tags, null, 2)}\n`);
    await git('commit', '-qam', message);
  };
  await git('init', '-q', '-b', 'main');
  writeFileSync(
    path.join(dir, TAGS),
    `${JSON.stringify({ staging: '0.1.0', production: '0.1.0' })}\n`,
  );
  await git('add', '-A');
  await git('commit', '-qm', 'first release');
  return { dir, git, commitTags };
}

/** The check's exit code and output, run in `dir` as CI runs it. */
const check = (dir: string, args: string[] = []) =>
  run(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: dir }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code: number; stderr: string }) => ({ code: error.code, output: error.stderr }),
  );

const PASSES = { code: 0, output: expect.stringMatching(/every release tag ran/) as unknown };
const REFUSES = {
  code: 1,
  output: expect.stringMatching(
    /production runs 0\.2\.0 since \w+, but staging never ran it/,
  ) as unknown,
};

/**
 * A scratch repository with the two steps of releasing 0.2.0 (staging first, then production),
 * each a commit on the branch checked out, and a `--no-ff` merge of a branch into main.
 */
async function releaseRepository() {
  const repo = await scratchRepository();
  return {
    ...repo,
    stage: () => repo.commitTags({ staging: '0.2.0', production: '0.1.0' }, 'staging runs 0.2.0'),
    promote: () =>
      repo.commitTags({ staging: '0.2.0', production: '0.2.0' }, 'production runs 0.2.0'),
    mergeIntoMain: async (branch: string) => {
      await repo.git('checkout', '-q', 'main');
      await repo.git('merge', '-q', '--no-ff', '-m', `merge ${branch}`, branch);
    },
  };
}

describe('staged-first on a git history (CI, "released")', () => {
  it('refuses a pull request that stages and promotes in two commits, before and after a --no-ff merge', async () => {
    const { dir, git, stage, promote, mergeIntoMain } = await releaseRepository();
    await git('checkout', '-qb', 'release');
    await stage();
    await promote();
    // The pull request, judged against its base branch: main would jump both at once.
    expect(await check(dir, ['--base', 'main'])).toEqual(REFUSES);
    await mergeIntoMain('release');
    // main's first-parent history: the merge gave staging and production 0.2.0 together.
    expect(await check(dir)).toEqual(REFUSES);
  }, 60_000);

  it('accepts a promotion whose tag staging ran on the base branch before', async () => {
    const { dir, git, stage, promote, mergeIntoMain } = await releaseRepository();
    await git('checkout', '-qb', 'stage');
    await stage();
    await mergeIntoMain('stage');
    await git('checkout', '-qb', 'promote');
    await promote();
    expect(await check(dir, ['--base', 'main'])).toEqual(PASSES);
    await mergeIntoMain('promote');
    expect(await check(dir)).toEqual(PASSES);
  }, 60_000);

  it('fails on a shallow clone, whose history is cut short', async () => {
    const { dir } = await scratchRepository();
    const shallow = `${dir}-shallow`;
    await run('git', ['clone', '-q', '--depth', '1', `file://${dir}`, shallow]);
    // The clone holds the committed node_modules symlink.
    expect(await check(shallow)).toEqual({
      code: 1,
      output: expect.stringMatching(
        /^staged-first: the clone is shallow.*fetch-depth: 0/,
      ) as unknown,
    });
  }, 60_000);

  it('refuses arguments it does not know with its usage', async () => {
    const { dir } = await scratchRepository();
    expect(await check(dir, ['--base'])).toEqual({
      code: 1,
      output: expect.stringMatching(/^staged-first: usage: staged-first\.ts \[--base/) as unknown,
    });
  }, 60_000);
});
