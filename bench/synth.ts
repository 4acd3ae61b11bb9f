import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { REPO_ROOT, trackChild } from './services.js';

/** Wall times of one way to synthesize, or why it failed. */
export type SynthTiming =
  | { readonly ok: true; readonly command: string; readonly runsMs: readonly number[] }
  | { readonly ok: false; readonly command: string; readonly reason: string };

/**
 * Times `runs` runs of `npm run synth` and of the app behind it (`app:` of cdk8s.yaml, run
 * directly). Both write to a fresh temporary folder (`--output` / `CDK8S_OUTDIR`, which is how
 * the CLI hands its output folder to the app), never to `dist/`: the work is the same, and
 * someone may be editing the charts. A failed run (charts mid-edit) is reported, not thrown.
 */
export async function measureSynth(runs: number): Promise<{ npm: SynthTiming; app: SynthTiming }> {
  const config = parse(await readFile(path.join(REPO_ROOT, 'cdk8s.yaml'), 'utf8')) as {
    app?: unknown;
  };
  const app = typeof config.app === 'string' ? config.app.trim().split(/\s+/) : [];
  // `npm run synth` takes --output as the cdk8s CLI does; the app command alone reads
  // CDK8S_OUTDIR, which is how the CLI hands it the folder.
  const npm = await timeRuns('npm run synth', runs, (outdir) => ({
    argv: ['npm', 'run', '-s', 'synth', '--', '--output', outdir],
    env: {},
  }));
  const direct =
    app.length === 0
      ? ({ ok: false, command: 'cdk8s.yaml app', reason: 'no `app:` in cdk8s.yaml' } as const)
      : await timeRuns(app.join(' '), runs, (outdir) => ({
          argv: app[0] === 'node' ? [process.execPath, ...app.slice(1)] : app,
          env: { CDK8S_OUTDIR: outdir },
        }));
  return { npm, app: direct };
}

async function timeRuns(
  command: string,
  runs: number,
  invocation: (outdir: string) => { argv: string[]; env: Record<string, string> },
): Promise<SynthTiming> {
  const runsMs: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const outdir = await mkdtemp(path.join(tmpdir(), 'aviary-bench-synth-'));
    try {
      const { argv, env } = invocation(outdir);
      const result = await timeCommand(argv, env);
      if (result.code !== 0) {
        return { ok: false, command, reason: `exit ${result.code}: ${firstError(result.stderr)}` };
      }
      runsMs.push(result.ms);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }
  return { ok: true, command, runsMs };
}

async function timeCommand(
  [file, ...args]: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; ms: number; stderr: string }> {
  const started = performance.now();
  const child = spawn(file!, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so that an interrupted bench stops npm and what npm started.
    detached: true,
  });
  void trackChild(child, true);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, ms: performance.now() - started, stderr };
}

// The line of a failed run's stderr that says what went wrong, rather than its stack's tail.
function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  const error = lines.find((line) => /error/i.test(line) && !line.startsWith('at '));
  return (error ?? lines.filter(Boolean).at(-1) ?? 'no output').slice(0, 200);
}
