import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Phase } from './load.js';
import { SCENARIOS, type Headline, type Results, type Settings } from './scenarios.js';
import type { Spread } from './stats.js';
import { megabytes, type Target, type Targets } from './targets.js';

/** Every run's results, git-ignored. */
export const LAST_RUN_FILE = fileURLToPath(new URL('last-run.md', import.meta.url));
/** The committed results, replaced whole by `npm run bench -- --record`. */
export const RESULTS_FILE = fileURLToPath(new URL('RESULTS.md', import.meta.url));

const number = (value: number) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : value < 100 ? 1 : 0 })
    : 'n/a';
/** Median and range: `4.2 (3.1–9)`; one value alone when there is one. */
const spread = ({ median, min, max }: Spread) =>
  min === max ? number(median) : `${number(median)} (${number(min)}–${number(max)})`;
const flat = (phase: Phase) =>
  `${number(phase.requests / phase.seconds)} req/s, p99 ${number(phase.p99Ms)} ms` +
  (phase.failures > 0 ? `, ${phase.failures} failed` : '');
const VERDICT = { met: 'met', missed: '**missed**', inconclusive: '_inconclusive_', 'n/a': 'n/a' };

/**
 * The whole results file in Markdown, also what `npm run bench` prints; `about` says when and
 * on what machine it ran. The headline comes first, with its two verdicts.
 */
export function render(results: Results, targets: Targets, settings: Settings, about: string) {
  const { startup, headline } = results;
  const comparisons = [headline, ...SCENARIOS.map((scenario) => results.comparisons[scenario])];
  const roles = ['bird', 'bird-image', 'bare'] as const;
  return [
    '# Aviary benchmark results',
    '',
    'Written whole by `npm run bench -- --record`; how to read it and why these targets: ' +
      '[README.md](README.md). Profiles, fixes and earlier runs: [HISTORY.md](HISTORY.md).',
    '',
    `${about} ${settings.rounds} rounds of ${settings.roundS} s per server at ` +
      `${number(settings.headlineRate)} req/s for the headline, ${number(settings.rate)} req/s ` +
      `for the other scenarios; flat out ${settings.flatOutS} s; stand-in Unsplash ` +
      `${settings.upstreamLatencyMs} ms; the pods' runtime settings ${runtimeSettings(settings)}; ` +
      `servers ${settings.compiled ? 'compiled' : 'through tsx'}. Each figure: median (lowest–highest round).`,
    '',
    `## Headline: ${headline.name}, at ${number(headline.rate)} req/s`,
    '',
    ...targetTable(targets.headline),
    '',
    ...headlineTable(headline),
    '',
    'RSS at idle: each process just after it listens, before any request. At the rate: sampled ' +
      "at the end of each of the service's slices of every round, the highest (for the two, the " +
      "highest sum of one slice's samples).",
    '',
    `## The stack's floor, not judged: ${results.floor.name}, at ${number(results.floor.rate)} req/s`,
    '',
    'Two processes of what the design card fixes and nothing of Aviary’s: Koa with one ' +
      '@koa/router route answering bird’s bytes, got loaded; the first takes the load, the ' +
      'second only waits, as birdImage mostly does while bird answers from its cache. Same ' +
      'rounds and runtime settings as the headline: what any bird and birdImage on this stack ' +
      'spend and hold at least.',
    '',
    ...headlineTable(results.floor),
    '',
    '## The other targets',
    '',
    ...targetTable(targets.others),
    '',
    '## Every scenario',
    '',
    '| scenario | server | CPU µs/req | × bare | p50 ms | p99 ms | flat out, not judged | check |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...comparisons.flatMap(({ name, rate, cpuUs, cpuRatio, p50Ms, p99Ms, ...c }) => [
      `| ${name}, ${number(rate)} req/s | service | ${spread(cpuUs.service)} | ${spread(cpuRatio)} | ` +
        `${spread(p50Ms.service)} | ${spread(p99Ms.service)} | ${flat(c.flatOut.service)} | ` +
        `${c.check}${c.failures > 0 ? `; **${c.failures} failed**` : ''} |`,
      `| | bare \`node:http\` | ${spread(cpuUs.bare)} | 1 | ${spread(p50Ms.bare)} | ` +
        `${spread(p99Ms.bare)} | ${flat(c.flatOut.bare)} | |`,
    ]),
    '',
    `| start to ready | ${roles.join(' | ')} |`,
    '| --- | --- | --- | --- |',
    `| wall ms, fork to the first 200 of /readyz | ${roles.map((r) => spread(startup[r].wallMs)).join(' | ')} |`,
    `| CPU ms by then | ${roles.map((r) => spread(startup[r].cpuMs)).join(' | ')} |`,
    '',
  ].join('\n');
}

const targetTable = (targets: readonly Target[]) => [
  '| target | measured | verdict |',
  '| --- | --- | --- |',
  ...targets.map((t) => `| ${t.goal} | ${spread(t.measured)} ${t.unit} | ${VERDICT[t.verdict]} |`),
];

/** The headline per process: CPU per request, and RSS at idle and at the rate. */
function headlineTable({ processes, ...headline }: Headline) {
  const idle = processes.reduce((sum, { idleRssBytes }) => sum + idleRssBytes, 0);
  return [
    `| process | CPU µs/req | × bare | RSS at idle | RSS at ${number(headline.rate)} req/s, highest |`,
    '| --- | --- | --- | --- | --- |',
    ...processes.map(
      ({ role, cpuUs, idleRssBytes, highestRssBytes }) =>
        `| ${role} | ${spread(cpuUs)} | | ${megabytes(idleRssBytes)} | ${megabytes(highestRssBytes)} |`,
    ),
    `| the two | ${spread(headline.cpuUs.service)} | ${spread(headline.cpuRatio)} | ` +
      `${megabytes(idle)} | ${megabytes(headline.highestRssBytes)} |`,
    `| bare \`node:http\` | ${spread(headline.cpuUs.bare)} | 1 | | |`,
  ];
}

/** Writes `text` to the last-run file and, with `record`, to the committed one; returns their paths. */
export async function writeResults(
  text: string,
  record: boolean,
  files = { lastRun: LAST_RUN_FILE, results: RESULTS_FILE },
): Promise<string[]> {
  const written = record ? [files.lastRun, files.results] : [files.lastRun];
  await Promise.all(written.map((file) => writeFile(file, text)));
  return written;
}

/** The pods' runtime variables as the report names them, e.g. `NODE_OPTIONS=…`, `MALLOC_ARENA_MAX=2`. */
function runtimeSettings(settings: Settings): string {
  return Object.entries(settings.pods.bird.runtimeEnv)
    .map(([name, value]) => `\`${name}=${value}\``)
    .join(', ');
}
