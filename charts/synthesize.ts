import { rmSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, type App } from 'cdk8s';

/**
 * The folder to synthesize into. `cdk8s synth` empties its output folder and passes it in
 * `CDK8S_OUTDIR`; run directly (`node --import tsx charts/main.ts`, which skips the CLI's own
 * second of start-up), the app empties the repository's `dist/` the same way, so both leave
 * exactly the same files.
 */
export function outputFolder(): string {
  const fromCli = process.env.CDK8S_OUTDIR;
  if (fromCli) return fromCli;
  const dist = path.resolve(import.meta.dirname, '..', 'dist');
  rmSync(dist, { recursive: true, force: true });
  return dist;
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
