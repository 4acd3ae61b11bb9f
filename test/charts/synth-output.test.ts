import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  environments,
  production,
  staging,
  UnknownEnvironmentError,
} from '../../charts/environments.js';
import { emptyOutputFolders, synthTargets, SynthUsageError } from '../../charts/synthesize.js';
import { REPO_ROOT, runSynth, synthFailure } from '../support/synth.js';

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

const inRepo = (folder: string) => path.join(REPO_ROOT, folder);
/** The folder an environment renders into, as synthTargets resolves it. */
const folderOf = (name: string) => path.join(REPO_ROOT, environments[name]!.gitops.path);

describe('synthTargets', () => {
  it('renders every environment into its own folder by default, dist/ for production', () => {
    const targets = synthTargets([], {});
    expect(targets.map(({ environment, outdir }) => [environment, outdir])).toEqual(
      Object.keys(environments).map((name) => [environments[name], folderOf(name)]),
    );
    expect(folderOf('production')).toBe(path.join(REPO_ROOT, 'dist'));
    expect(new Set(targets.map((t) => t.outdir)).size).toBe(targets.length);
  });

  it('renders only the environment AVIARY_ENV names, into its own folder, never dist/', () => {
    expect(synthTargets([], { AVIARY_ENV: 'staging' })).toEqual([
      { environment: staging, outdir: folderOf('staging') },
    ]);
  });

  it.each([['--output'], ['-o']])('takes %s <folder>, as cdk8s synth does', (flag) => {
    const folder = folderWith({ 'old.k8s.yaml': 'x', 'gitops/flux.k8s.yaml': 'y' });
    expect(synthTargets([flag, folder], {})).toEqual([{ environment: production, outdir: folder }]);
    expect(synthTargets([flag, folder], { AVIARY_ENV: 'staging' })).toEqual([
      { environment: staging, outdir: folder },
    ]);
  });

  it('takes --output=<folder> over CDK8S_OUTDIR, and CDK8S_OUTDIR without it', () => {
    const folder = folderWith({});
    expect(synthTargets([`--output=${folder}`], { CDK8S_OUTDIR: '/elsewhere' })).toEqual([
      { environment: production, outdir: folder },
    ]);
    expect(synthTargets([], { CDK8S_OUTDIR: '/from/cli' })).toEqual([
      { environment: production, outdir: '/from/cli' },
    ]);
  });

  it.each([
    [['--outptu', 'x'], {}, /unknown argument "--outptu"/],
    [['--output'], {}, /--output needs a folder/],
    [['--output', REPO_ROOT], {}, /holds the repository/],
    [['--output', path.dirname(REPO_ROOT)], {}, /holds the repository/],
    [['--output', inRepo('environments/staging')], {}, /folder of environment staging/],
    [
      ['--output', inRepo('environments')],
      { AVIARY_ENV: 'staging' },
      /folder of environment local/,
    ],
    [
      ['--output', inRepo('dist/monitoring')],
      { AVIARY_ENV: 'local' },
      /folder of environment production/,
    ],
    [
      [],
      { AVIARY_ENV: 'staging', CDK8S_OUTDIR: inRepo('dist') },
      /folder of environment production/,
    ],
    // Committed YAML that is no environment's render: emptying it would delete it.
    [['--output', inRepo('deploy')], {}, /inside the repository but not dist, this environment's/],
    [
      ['--output', inRepo('charts/crds')],
      { AVIARY_ENV: 'staging' },
      /but not environments\/staging/,
    ],
    [['--output', inRepo('dist-staging')], { AVIARY_ENV: 'staging' }, /inside the repository/],
  ])('refuses %j with %j', (args, env, message) => {
    expect(() => synthTargets(args, env)).toThrowError(SynthUsageError);
    expect(() => synthTargets(args, env)).toThrowError(message);
  });

  it('refuses an unknown AVIARY_ENV, naming the known environments', () => {
    expect(() => synthTargets([], { AVIARY_ENV: 'stagign' })).toThrowError(UnknownEnvironmentError);
    expect(() => synthTargets([], { AVIARY_ENV: 'stagign' })).toThrowError(
      `AVIARY_ENV "stagign" is not an environment: use one of ${Object.keys(environments).join(', ')}`,
    );
  });

  it('refuses, and leaves alone, a folder holding anything but manifests', () => {
    const folder = folderWith({ 'a.k8s.yaml': 'x', 'notes/todo.md': 'keep me' });
    expect(() => synthTargets(['--output', folder], {})).toThrowError(/todo\.md/);
    expect(existsSync(path.join(folder, 'notes/todo.md'))).toBe(true);
  });
});

describe('emptyOutputFolders', () => {
  it('empties the folders, but for the CDK8S_OUTDIR the cdk8s CLI has emptied', () => {
    const ours = folderWith({ 'old.k8s.yaml': 'x' });
    const cli = folderWith({ 'kept.k8s.yaml': 'x' });
    const targets = [ours, cli].map((outdir) => ({ environment: production, outdir }));
    emptyOutputFolders(targets, { CDK8S_OUTDIR: cli });
    expect(existsSync(ours)).toBe(false);
    expect(existsSync(path.join(cli, 'kept.k8s.yaml'))).toBe(true);
  });
});

describe('npm run synth -- --output', () => {
  it('writes there and leaves dist/ untouched', async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), 'aviary-out-')), 'staging');
    const before = statSync(path.join(REPO_ROOT, 'dist/0002-services.k8s.yaml')).mtimeMs;
    await runSynth(['--output', folder], cleanEnv);
    expect(readdirSync(folder)).toEqual(
      expect.arrayContaining(['0002-services.k8s.yaml', 'gitops']),
    );
    expect(statSync(path.join(REPO_ROOT, 'dist/0002-services.k8s.yaml')).mtimeMs).toBe(before);
  }, 60_000);

  it('rejects an unknown argument with one line and exit code 2', async () => {
    const error = await synthFailure(['--outdir', 'x'], cleanEnv);
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/^synth: unknown argument "--outdir"; usage: .*\n$/);
  }, 60_000);
});

describe('npm run synth with AVIARY_ENV', () => {
  it('stops on an unknown environment with one line naming the known ones, exit code 2', async () => {
    const error = await synthFailure([], { ...cleanEnv, AVIARY_ENV: 'prod' });
    expect(error?.code).toBe(2);
    expect(error?.stderr).toBe(
      `synth: AVIARY_ENV "prod" is not an environment: use one of ` +
        `${Object.keys(environments).join(', ')} (see charts/environments.ts)\n`,
    );
  }, 60_000);

  it('renders that environment, not production, into --output', async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), 'aviary-out-')), 'staging');
    await runSynth(['--output', folder], { ...cleanEnv, AVIARY_ENV: 'staging' });
    const namespaceFile = readFileSync(path.join(folder, '0001-namespace.k8s.yaml'), 'utf8');
    expect(namespaceFile).toContain(`name: ${staging.namespace}\n`);
    expect(namespaceFile).not.toContain(`name: ${production.namespace}\n`);
  }, 60_000);
});
