import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, type App } from 'cdk8s';
import {
  environmentNamed,
  environments,
  production,
  type AviaryEnvironment,
} from './environments.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const USAGE =
  'usage: [AVIARY_ENV=<environment>] npm run synth [-- --output <folder>]   ' +
  '(default: every environment, each into its own folder)';

/** A command line or output folder `npm run synth` refuses, with the reason in one line. */
export class SynthUsageError extends Error {}

/** One environment to render, and the folder to render it into. */
export interface SynthTarget {
  readonly environment: AviaryEnvironment;
  readonly outdir: string;
}

/**
 * What `npm run synth` renders (its folders are emptied by {@link emptyOutputFolders}):
 * - with `AVIARY_ENV=<name>`, that environment, into `--output <folder>` (or `-o`,
 *   `--output=<folder>`, as `cdk8s synth` takes it), else `CDK8S_OUTDIR` (which `cdk8s synth`
 *   sets after emptying the folder itself), else its own `gitops.path`;
 * - without, production into `--output` or `CDK8S_OUTDIR` when one is given (the cdk8s CLI's
 *   `output: dist`), else every environment of `environments`, each into its own `gitops.path`.
 *
 * Throws a {@link SynthUsageError} for any other argument, for a folder that holds anything but
 * manifests (or holds the repository), which emptying it would destroy, and for a folder that is,
 * holds or lies in another environment's, which would be overwritten; an
 * `UnknownEnvironmentError` for an `AVIARY_ENV` that names no environment.
 */
export function synthTargets(
  args: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  known: Readonly<Record<string, AviaryEnvironment>> = environments,
): SynthTarget[] {
  const requested = outputArgument(args) ?? (env.CDK8S_OUTDIR || undefined);
  const targets = env.AVIARY_ENV
    ? [{ environment: environmentNamed(env.AVIARY_ENV, 'AVIARY_ENV'), requested }]
    : requested === undefined
      ? Object.values(known).map((environment) => ({ environment, requested }))
      : [{ environment: production, requested }];
  const resolved = targets.map(({ environment, requested: folder }) => ({
    environment,
    outdir: path.resolve(folder ?? environmentFolder(environment)),
  }));
  for (const { environment, outdir } of resolved) {
    if (!emptiedByCli(outdir, env)) checkDisposable(outdir);
    checkOwnFolder(outdir, environment, known);
    checkNotCommitted(outdir, environment);
  }
  return resolved;
}

/**
 * Empties the targets' folders, as `cdk8s synth` empties its own, but for the `CDK8S_OUTDIR` that
 * `cdk8s synth` has emptied already.
 */
export function emptyOutputFolders(
  targets: readonly SynthTarget[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const { outdir } of targets) {
    if (!emptiedByCli(outdir, env)) rmSync(outdir, { recursive: true, force: true });
  }
}

// `cdk8s synth` empties its output folder before it runs the app, and hands it over as CDK8S_OUTDIR.
function emptiedByCli(folder: string, env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CDK8S_OUTDIR) && path.resolve(env.CDK8S_OUTDIR!) === folder;
}

/** The folder of the repository an environment renders into and GitOps syncs: its `gitops.path`. */
export function environmentFolder(environment: Pick<AviaryEnvironment, 'gitops'>): string {
  return path.join(REPO_ROOT, environment.gitops.path);
}

// One environment's render never lands on, in, or around another's.
function checkOwnFolder(
  folder: string,
  environment: AviaryEnvironment,
  known: Readonly<Record<string, AviaryEnvironment>>,
): void {
  const nested = (inner: string, outer: string) =>
    inner === outer || !path.relative(outer, inner).startsWith('..');
  for (const [name, other] of Object.entries(known)) {
    if (other === environment) continue;
    const theirs = environmentFolder(other);
    if (nested(folder, theirs) || nested(theirs, folder)) {
      throw new SynthUsageError(
        `${folder} is or holds the folder of environment ${name} (${other.gitops.path}): ` +
          'render each environment into its own folder',
      );
    }
  }
}

// Inside the repository, every other folder holds committed work (deploy/, charts/crds/, …) that
// emptying would delete: an environment renders there into its own gitops.path only.
function checkNotCommitted(folder: string, environment: AviaryEnvironment): void {
  const inRepository = !path.relative(REPO_ROOT, folder).startsWith('..');
  if (inRepository && folder !== environmentFolder(environment)) {
    throw new SynthUsageError(
      `${folder} is inside the repository but not ${environment.gitops.path}, this ` +
        "environment's own folder: synth empties its output folder, so choose one outside",
    );
  }
}

function outputArgument(args: readonly string[]): string | undefined {
  let folder: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const inline = /^--output=(.*)$/.exec(arg);
    if (inline) folder = inline[1];
    else if (arg === '--output' || arg === '-o') folder = args[++i];
    else throw new SynthUsageError(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    if (!folder) throw new SynthUsageError(`${arg} needs a folder; ${USAGE}`);
  }
  return folder;
}

// Emptying the output folder is what cdk8s does; refuse where that would destroy other work.
function checkDisposable(folder: string): void {
  if (path.relative(folder, REPO_ROOT).split(path.sep)[0] !== '..') {
    throw new SynthUsageError(`${folder} holds the repository: choose a folder of its own`);
  }
  if (!existsSync(folder)) return;
  const others = readdirSync(folder, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && !entry.name.endsWith('.yaml'),
  );
  if (others.length > 0) {
    throw new SynthUsageError(
      `${folder} holds files other than manifests (${others[0]!.name}): ` +
        'synth empties its output folder, so choose an empty or new one',
    );
  }
}

/**
 * Synthesizes each app into its own output folder, leaving out charts that hold no API object
 * (cdk8s would write them as empty YAML files). An app left with no chart writes nothing, not
 * even its folder.
 */
export function synthesize(apps: readonly App[]): void {
  for (const app of apps) {
    for (const chart of app.charts) {
      if (!chart.node.findAll().some((construct) => construct instanceof ApiObject)) {
        app.node.tryRemoveChild(chart.node.id);
      }
    }
    if (app.charts.length > 0) app.synth();
  }
}

/**
 * The path of `file` in the repository when the app synthesizes the repository's own `dist/`, so
 * that files generated beside it (Helm values) are written with it; `undefined` when it writes
 * elsewhere (a test's temporary folder), so such a run leaves the repository alone.
 */
export function repositoryFile(outdir: string, file: string): string | undefined {
  const root = path.resolve(import.meta.dirname, '..');
  return path.resolve(outdir) === path.join(root, 'dist') ? path.join(root, file) : undefined;
}
