import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { outputFolder, SynthUsageError } from '../../charts/synthesize.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
// The production set, into the folder given: nothing from the caller's shell decides otherwise.
const cleanEnv = { ...process.env };
delete cleanEnv.AVIARY_ENV;
delete cleanEnv.CDK8S_OUTDIR;

/** A fresh folder holding `files` (name → content). */
function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'aviary-out-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), content);
  }
  return folder;
}

describe('outputFolder', () => {
  it.each([['--output'], ['-o']])(
    'takes %s <folder>, as cdk8s synth does, and empties it',
    (flag) => {
      const folder = folderWith({ 'old.k8s.yaml': 'x', 'gitops/flux.k8s.yaml': 'y' });
      expect(outputFolder([flag, folder], {})).toBe(folder);
      expect(existsSync(folder)).toBe(false);
    },
  );

  it('takes --output=<folder> over CDK8S_OUTDIR, and CDK8S_OUTDIR without it', () => {
    const folder = folderWith({});
    expect(outputFolder([`--output=${folder}`], { CDK8S_OUTDIR: '/elsewhere' })).toBe(folder);
    expect(outputFolder([], { CDK8S_OUTDIR: '/from/cli' })).toBe('/from/cli');
  });

  it.each([
    [['--outptu', 'x'], /unknown argument "--outptu"/],
    [['--output'], /--output needs a folder/],
    [['--output', ROOT], /holds the repository/],
    [['--output', path.dirname(ROOT)], /holds the repository/],
  ])('refuses %j', (args, message) => {
    expect(() => outputFolder(args, {})).toThrowError(SynthUsageError);
    expect(() => outputFolder(args, {})).toThrowError(message);
  });

  it('refuses, and leaves alone, a folder holding anything but manifests', () => {
    const folder = folderWith({ 'a.k8s.yaml': 'x', 'notes/todo.md': 'keep me' });
    expect(() => outputFolder(['--output', folder], {})).toThrowError(/todo\.md/);
    expect(existsSync(path.join(folder, 'notes/todo.md'))).toBe(true);
  });
});

describe('npm run synth -- --output', () => {
  it('writes there and leaves dist/ untouched', async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), 'aviary-out-')), 'staging');
    const before = statSync(path.join(ROOT, 'dist/0002-services.k8s.yaml')).mtimeMs;
    await run(process.execPath, ['--import', 'tsx', 'charts/main.ts', '--output', folder], {
      cwd: ROOT,
      env: cleanEnv,
    });
    expect(readdirSync(folder)).toEqual(
      expect.arrayContaining(['0002-services.k8s.yaml', 'gitops']),
    );
    expect(statSync(path.join(ROOT, 'dist/0002-services.k8s.yaml')).mtimeMs).toBe(before);
  }, 60_000);

  it('rejects an unknown argument with one line and exit code 2', async () => {
    const failure = run(process.execPath, ['--import', 'tsx', 'charts/main.ts', '--outdir', 'x'], {
      cwd: ROOT,
      env: cleanEnv,
    });
    const error = (await failure.then(
      () => undefined,
      (reason: unknown) => reason,
    )) as { code?: number; stderr?: string };
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/^synth: unknown argument "--outdir"; usage: .*\n$/);
  }, 60_000);
});
