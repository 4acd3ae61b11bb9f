import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { production } from '../../charts/environments.js';
import { checkPromotion, PromotionError } from '../../charts/releases/promote.js';
import {
  parseReleaseTags,
  PROMOTION_ORDER,
  RELEASE_TAGS_FILE,
} from '../../charts/releases/release-tags.js';
import { unstagedPromotion, type TagsVersion } from '../../charts/releases/staged-first.js';
import { publishedImageProblems, readmeToACluster } from '../workflows/support/readme.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TAGS = path.relative(ROOT, RELEASE_TAGS_FILE);
const run = promisify(execFile);
// What synth and promote read: the charts, the apps' constants, the bindings, the renders.
const COPIED = ['charts', 'apps', 'imports', 'dist', 'environments', 'deploy', 'package.json'];

/** A git repository holding a copy of what promotion reads and writes, all committed. */
async function scratchCopy(): Promise<{ dir: string; git: (...a: string[]) => Promise<string> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aviary-promote-'));
  for (const entry of COPIED)
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const git = async (...args: string[]) =>
    (await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir })).stdout;
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', 'copy');
  return { dir, git };
}

const node = (dir: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: dir,
    env: { ...process.env, AVIARY_ENV: undefined, CDK8S_OUTDIR: undefined, ...env },
  });

describe('npm run promote', () => {
  it('gives production the tag staging runs, re-renders dist/, and changes nothing else', async () => {
    const { dir, git } = await scratchCopy();
    // A release staging runs and production does not yet.
    const tags = JSON.parse(readFileSync(path.join(dir, TAGS), 'utf8')) as Record<string, string>;
    const [from, to] = [tags.production!, '9.8.7'];
    writeFileSync(path.join(dir, TAGS), `${JSON.stringify({ ...tags, staging: to }, null, 2)}\n`);
    await node(dir, 'charts/main.ts', [], { AVIARY_ENV: 'staging' });
    await git('commit', '-qam', 'staging runs 9.8.7');

    await node(dir, 'charts/releases/promote.ts', ['staging', 'production']);

    const changed = (await git('status', '--porcelain')).split('\n').filter(Boolean);
    expect(
      changed.every((line) => /^ M (dist\/|charts\/releases\/release-tags\.json$)/.test(line)),
    ).toBe(true);
    expect(changed.map((line) => line.slice(3))).toContain(TAGS);
    expect(changed.map((line) => line.slice(3))).toContain('dist/0002-services.k8s.yaml');
    // Every changed line is an old line with the old tag replaced by the new one.
    const diff = (await git('diff', '-U0', '--no-color')).split('\n');
    const removed = diff.filter((l) => /^-(?!--)/.test(l)).map((l) => l.slice(1));
    const added = diff.filter((l) => /^\+(?!\+\+)/.test(l)).map((l) => l.slice(1));
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.every((line) => line.includes(from))).toBe(true);
    expect(added).toEqual(removed.map((line) => line.replaceAll(from, to)));
    expect(JSON.parse(readFileSync(path.join(dir, TAGS), 'utf8'))).toEqual({
      staging: to,
      production: to,
    });
  }, 120_000);

  it("leaves the README's published images true whatever tag production runs", () => {
    // promote changes production's tag; the README names the file holding it, not the tag.
    for (const imageTag of [production.imageTag, '9.8.7', '10.0.0-rc.1']) {
      expect(publishedImageProblems(readmeToACluster(), { ...production, imageTag })).toEqual([]);
    }
  });

  it('refuses a tag resolveImage refuses, leaving the file and every render as they were', async () => {
    const { dir, git } = await scratchCopy();
    const tags = JSON.parse(readFileSync(path.join(dir, TAGS), 'utf8')) as Record<string, string>;
    writeFileSync(path.join(dir, TAGS), `${JSON.stringify({ ...tags, staging: '0.2.0 ' })}\n`);
    await git('commit', '-qam', 'a tag with a space');
    const failed = (script: string, args: string[]) =>
      node(dir, script, args).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    const promote = await failed('charts/releases/promote.ts', ['staging', 'production']);
    expect(promote.code).toBe(2);
    expect(promote.stderr).toBe(
      'promote: release-tags.json: "staging" is "0.2.0 ": pin a release such as "0.1.0" (never "latest")\n',
    );
    expect((await failed('charts/main.ts', [])).code).not.toBe(0);
    expect(await git('status', '--porcelain')).toBe('');
  }, 120_000);

  it('refuses a tree whose charts/ or renders differ from HEAD, naming the files', async () => {
    const { dir, git } = await scratchCopy();
    const tags = JSON.parse(readFileSync(path.join(dir, TAGS), 'utf8')) as Record<string, string>;
    const promote = () =>
      node(dir, 'charts/releases/promote.ts', ['staging', 'production']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    // A staging tag not committed yet, then a hand-edited render.
    writeFileSync(path.join(dir, TAGS), `${JSON.stringify({ ...tags, staging: '9.9.9' })}\n`);
    expect(await promote()).toMatchObject({
      code: 2,
      stderr: `promote: commit or stash these first, so that the diff is the promotion alone: ${TAGS}\n`,
    });
    await git('checkout', '--', TAGS);
    writeFileSync(path.join(dir, 'dist/0002-services.k8s.yaml'), 'edited\n');
    expect((await promote()).stderr).toMatch(/promote: commit or stash .*: dist\/0002-services/);
    expect(await git('status', '--porcelain')).toBe(' M dist/0002-services.k8s.yaml\n');
  }, 120_000);

  it.each(['0.2.0 ', 'latest', '', '-1.0.0', 7])('parseReleaseTags refuses the tag %j', (tag) => {
    expect(() =>
      parseReleaseTags(JSON.stringify({ staging: tag, production: '0.1.0' }), 'tags.json'),
    ).toThrowError(/^tags\.json: "staging" is .*: pin a release such as "0\.1\.0"/);
  });

  it.each([
    [['staging'], /usage: npm run promote -- <source> <target>/],
    [['staging', 'prod'], /"prod" is not a released environment: use one of staging, production/],
    [['production', 'staging'], /staging is where a release starts/],
    [['production', 'production'], /production takes its releases from staging, not production/],
  ])('refuses %j with one line', (args, message) => {
    expect(() => checkPromotion(args)).toThrowError(PromotionError);
    expect(() => checkPromotion(args)).toThrowError(message);
  });
});

describe('charts/environments.ts', () => {
  it('takes the imageTag of every environment in the promotion order from release-tags.json', async () => {
    const { dir } = await scratchCopy();
    // A distinct tag per environment, none of them the committed ones.
    const tags = Object.fromEntries(PROMOTION_ORDER.map((name, index) => [name, `7.${index}.0`]));
    writeFileSync(path.join(dir, TAGS), `${JSON.stringify(tags, null, 2)}\n`);
    for (const name of PROMOTION_ORDER) {
      const { stdout } = await node(dir, 'charts/image-refs.ts', [], { AVIARY_ENV: name });
      const refs = JSON.parse(stdout) as Record<string, { tag: string }>;
      expect(new Set(Object.values(refs).map((ref) => ref.tag))).toEqual(new Set([tags[name]]));
    }
  }, 60_000);
});

describe('a production tag staging has not run (CI, "released")', () => {
  // Commits in order, each `[commit, staging's tag, production's tag]`.
  const history = (...versions: [string, string, string][]): TagsVersion[] =>
    versions.map(([commit, staging, production]) => ({
      commit: commit.padEnd(40, '0'),
      tags: { staging, production },
    }));

  it('accepts the tags of the first version, and a tag staging ran in an earlier commit', () => {
    expect(PROMOTION_ORDER).toEqual(['staging', 'production']);
    const accepted = [
      history(['a', '0.1.0', '0.1.0']),
      history(
        ['a', '0.1.0', '0.1.0'],
        ['b', '0.2.0', '0.1.0'],
        ['c', '0.3.0', '0.1.0'],
        ['d', '0.3.0', '0.2.0'],
      ),
    ];
    for (const versions of accepted) expect(unstagedPromotion(versions)).toBeUndefined();
  });

  it.each([
    [
      history(['a', '0.1.0', '0.1.0'], ['b', '0.2.0', '0.2.0']),
      /^production runs 0\.2\.0 since b0{11}, but staging never ran it before/,
    ],
    [
      history(
        ['a', '0.1.0', '0.1.0'],
        ['b', '0.2.0', '0.1.0'],
        ['c', '0.2.0', '0.3.0'],
        ['d', '0.4.0', '0.3.0'],
      ),
      /^production runs 0\.3\.0 since c0{11}, but staging never ran it before/,
    ],
  ])(
    'refuses a tag given to both in one commit, and one staging never ran (%#)',
    (versions, refusal) => {
      expect(unstagedPromotion(versions)).toMatch(refusal);
    },
  );

  it("reads the repository's history: the check CI runs fails on a skipped environment", async () => {
    const { dir, git } = await scratchCopy();
    const script = 'charts/releases/staged-first.ts';
    expect((await node(dir, script, [])).stdout).toMatch(/every release tag ran/);
    const tags = { staging: '0.1.0', production: '5.0.0' };
    writeFileSync(path.join(dir, TAGS), `${JSON.stringify(tags, null, 2)}\n`);
    await git('commit', '-qam', 'production skips staging');
    const failure = (await node(dir, script, []).then(
      () => undefined,
      (reason: unknown) => reason,
    )) as { code?: number; stderr?: string };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(
      /^staged-first: production runs 5\.0\.0 since \w+, but staging never ran it before/,
    );
  }, 60_000);
});
