import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { podFactsOf } from '../../bench/pods.js';
import catalog from '../../apps/bird/facts/catalog.json' with { type: 'json' };
import { render, writeResults } from '../../bench/report.js';
import { runBench, SCENARIOS, type Settings } from '../../bench/scenarios.js';
import { targetsOf } from '../../bench/targets.js';

// A round of every scenario, as short as still measures something; the figures are not judged
// here (speed goals live in the bench), only that each is measured and reported.
const settings: Settings = {
  rounds: 2,
  roundS: 0.2,
  rate: 200,
  // Another rate than the other scenarios', so that the requests counted show which ran.
  headlineRate: 400,
  flatOutS: 0.2,
  startupRuns: 1,
  upstreamLatencyMs: 5,
  deadlineMs: 200,
  compiled: false,
  pods: { bird: await podFactsOf('bird'), 'bird-image': await podFactsOf('bird-image') },
};

describe('the bench, end to end', () => {
  it(
    'runs every scenario against real services and writes what it measured',
    { timeout: 60_000 },
    async () => {
      const steps: string[] = [];
      const results = await runBench(settings, (step) => steps.push(step));
      expect(steps).toEqual([
        'start to ready',
        'bird `GET /`, both processes',
        'Koa and @koa/router, got loaded',
        'bird `GET /`',
        'birdImage, cached lookups',
        'birdImage, breaker open',
      ]);
      const { headline } = results;
      const { bird, cachedLookups, breakerOpen } = results.comparisons;
      const comparisons = SCENARIOS.map((scenario) => results.comparisons[scenario]);
      for (const comparison of [headline, ...comparisons]) {
        expect(comparison.failures).toBe(0);
        expect(comparison.cpuUs.service.median).toBeGreaterThan(0);
        expect(comparison.cpuUs.bare.median).toBeGreaterThan(0);
        // Each round pairs the service with the bare server answering the same bytes: a service
        // routes, logs and counts every request, so it must spend more per request.
        expect(comparison.cpuRatio.median).toBeGreaterThan(1);
        expect(comparison.p99Ms.service.median).toBeGreaterThan(0);
        expect(comparison.flatOut.service.requests).toBeGreaterThan(0);
      }
      // The headline at its own rate, the others at theirs: every request of the rounds counted.
      const sent = (rate: number) => settings.rounds * settings.roundS * rate;
      expect(headline.requests).toBe(sent(settings.headlineRate));
      for (const comparison of comparisons) expect(comparison.requests).toBe(sent(settings.rate));

      // The headline counts both processes: birdImage's CPU time (its idle cost while bird
      // answers from its cache) and its RSS are added to bird's in every round.
      const [birdProcess, birdImageProcess] = headline.processes;
      expect(headline.processes.map((figures) => figures.role)).toEqual(['bird', 'bird-image']);
      expect(birdImageProcess!.cpuUs.min).toBeGreaterThan(0);
      expect(headline.cpuUs.service.min).toBeGreaterThan(birdProcess!.cpuUs.min);
      const highest = headline.processes.map((figures) => figures.highestRssBytes);
      expect(headline.highestRssBytes).toBeGreaterThan(Math.max(...highest));
      expect(headline.highestRssBytes).toBeLessThanOrEqual(highest[0]! + highest[1]!);
      for (const figures of headline.processes) {
        expect(figures.idleRssBytes).toBeGreaterThan(20 * 2 ** 20);
        // Idle is before any request; the load (the warm-up flat out first) makes it grow.
        expect(figures.highestRssBytes).toBeGreaterThan(figures.idleRssBytes);
      }
      // The floor: two processes at the headline's rate, the first loaded, both measured.
      const { floor } = results;
      expect(floor.processes.map((figures) => figures.role)).toEqual(['floor', 'floor']);
      expect(floor.requests).toBe(sent(settings.headlineRate));
      expect(floor.failures).toBe(0);
      expect(floor.cpuUs.service.median).toBeGreaterThan(0);
      expect(floor.highestRssBytes).toBeGreaterThan(
        Math.max(...floor.processes.map((f) => f.highestRssBytes)),
      );
      for (const figures of floor.processes)
        expect(figures.idleRssBytes).toBeGreaterThan(20 * 2 ** 20);
      for (const comparison of comparisons) {
        expect(comparison.processes).toHaveLength(1);
        expect(comparison.highestRssBytes).toBe(comparison.processes[0]!.highestRssBytes);
      }

      // bird asked birdImage about each bird it picked once, in the headline (at random: on a
      // busy machine it may not pick all of the catalog's), then answered from its cache.
      const searches = (check: string) =>
        Number(/^(\d+) searches reached the stand-in Unsplash$/.exec(check)?.[1]);
      expect(searches(headline.check)).toBeGreaterThan(0);
      expect(searches(headline.check) + searches(bird.check)).toBeLessThanOrEqual(catalog.length);
      expect(cachedLookups.check).toBe('0 searches reached the stand-in Unsplash');
      expect(breakerOpen.check).toMatch(/^8 calls reached the dead upstream/);
      expect(results.startup.bird.cpuMs.median).toBeGreaterThan(results.startup.bare.cpuMs.median);
      expect(results.peakRssBytes['bird-image']).toBeGreaterThan(20 * 2 ** 20);

      const targets = targetsOf(results, settings);
      const judged = [...targets.headline, ...targets.others];
      expect(judged.every((target) => target.verdict !== 'n/a')).toBe(true);
      const text = render(results, targets, settings, 'A test run.');
      const folder = await mkdtemp(path.join(tmpdir(), 'bench-'));
      const files = {
        lastRun: path.join(folder, 'last.md'),
        results: path.join(folder, 'RESULTS.md'),
      };
      expect(await writeResults(text, false, files)).toEqual([files.lastRun]);
      await expect(readFile(files.results)).rejects.toThrow(/ENOENT/);
      expect(await writeResults(text, true, files)).toEqual([files.lastRun, files.results]);
      expect(await readFile(files.results, 'utf8')).toBe(text);
      expect(text).toContain('| birdImage, breaker open: p99 ≤ 10 ms at 200 req/s |');
      // The headline and its two verdicts come first.
      const headlineRows = [
        '| bird `GET /`, both processes: CPU per request ≤ 2.5 × bare, at 400 req/s |',
        '| bird `GET /`, both processes: RSS of the two ≤ 140 MB (133.5 MiB), the highest at 400 req/s |',
      ];
      const [firstTarget, secondTarget] = headlineRows.map((row) => text.indexOf(row));
      expect(firstTarget).toBeGreaterThan(0);
      expect(secondTarget).toBeGreaterThan(firstTarget!);
      expect(text.indexOf('| bird `GET /`: CPU per request ≤ 4 × bare')).toBeGreaterThan(
        secondTarget!,
      );
      // The floor after the headline, figures only: no verdict of its own.
      const floorAt = text.indexOf("## The stack's floor, not judged: Koa and @koa/router");
      expect(floorAt).toBeGreaterThan(secondTarget!);
      expect(text.slice(floorAt, text.indexOf('## The other targets'))).toMatch(
        /\| floor \|[^\n]*\n\| floor \|[^\n]*\n\| the two \|/,
      );
    },
  );
});
