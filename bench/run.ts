/**
 * `npm run bench [-- --record]`: runs the scenarios (bench/scenarios.ts) against the compiled
 * services (built first by the npm script), prints the results and writes them to
 * bench/last-run.md (git-ignored) and, with `--record`, to bench/RESULTS.md. See bench/README.md.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { podFactsOf } from './pods.js';
import { render, writeResults } from './report.js';
import { runBench, type Settings } from './scenarios.js';
import { targetsOf } from './targets.js';

const args = process.argv.slice(2);
if (args.some((arg) => arg !== '--record')) {
  process.stderr.write(`bench: unknown argument; usage: npm run bench [-- --record]\n`);
  process.exit(2);
}

const started = performance.now();
const loadAtStart = loadavg()[0]!;
const settings: Settings = {
  // Seven rounds: a verdict reads all of them (bench/stats.ts), so a pause of the shared machine
  // in any round makes it inconclusive rather than wrong.
  rounds: 7,
  roundS: 2,
  rate: 1000,
  // The headline's rate, the (bench/README.md, "Why 4,000 req/s"): about half a core of
  // bird, a busy pod, well under what bird and the bare server answer flat out.
  headlineRate: 4000,
  flatOutS: 2,
  startupRuns: 5,
  upstreamLatencyMs: 50,
  deadlineMs: 500,
  compiled: true,
  pods: { bird: await podFactsOf('bird'), 'bird-image': await podFactsOf('bird-image') },
};
const results = await runBench(settings, (step) => process.stderr.write(`bench: ${step}\n`));
const about =
  `Run of ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), ` +
  `Node ${process.version}, in ${((performance.now() - started) / 1000).toFixed(0)} s; load ` +
  `average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`;
const text = render(results, targetsOf(results, settings), settings, about);
const written = await writeResults(text, args.includes('--record'));
process.stdout.write(`${text}\nWritten to ${written.join(' and ')}.\n`);
