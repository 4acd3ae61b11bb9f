import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, type App } from 'cdk8s';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const USAGE = 'usage: npm run synth [-- --output <folder>]   (default: dist/)';

/** A command line or output folder `npm run synth` refuses, with the reason in one line. */
export class SynthUsageError extends Error {}

/**
 * The folder to synthesize into, emptied first as `cdk8s synth` empties its own:
 * - `--output <folder>` (or `-o`, `--output=<folder>`), as `cdk8s synth` takes it, for
 *   `npm run synth -- --output dist-staging`;
 * - else `CDK8S_OUTDIR`, which `cdk8s synth` sets after emptying the folder itself;
 * - else the repository's `dist/`. Run directly, the app skips the CLI's second of start-up
 *   and leaves exactly the same files.
 *
 * Throws a {@link SynthUsageError} for any other argument, and for a folder that holds anything
 * but manifests (or holds the repository), which emptying it would destroy.
 */
export function outputFolder(
  args: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): string {
  const requested = outputArgument(args);
  if (requested === undefined && env.CDK8S_OUTDIR) return env.CDK8S_OUTDIR;
  const folder = path.resolve(requested ?? path.join(REPO_ROOT, 'dist'));
  checkDisposable(folder);
  rmSync(folder, { recursive: true, force: true });
  return folder;
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
    throw new SynthUsageError(
      `--output ${folder} holds the repository: choose a folder of its own`,
    );
  }
  if (!existsSync(folder)) return;
  const others = readdirSync(folder, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && !entry.name.endsWith('.yaml'),
  );
  if (others.length > 0) {
    throw new SynthUsageError(
      `--output ${folder} holds files other than manifests (${others[0]!.name}): ` +
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
