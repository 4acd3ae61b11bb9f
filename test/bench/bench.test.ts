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
        'bird `GET /`',
        'birdImage, cached lookups',
        'birdImage, breaker open',
      ]);
      const { bird, cachedLookups, breakerOpen } = results.comparisons;
      for (const comparison of SCENARIOS.map((scenario) => results.comparisons[scenario])) {
        expect(comparison.failures).toBe(0);
        expect(comparison.cpuUs.service.median).toBeGreaterThan(0);
        expect(comparison.cpuUs.bare.median).toBeGreaterThan(0);
        // Each round pairs the service with the bare server answering the same bytes: a service
        // routes, logs and counts every request, so it must spend more per request.
        expect(comparison.cpuRatio.median).toBeGreaterThan(1);
        expect(comparison.p99Ms.service.median).toBeGreaterThan(0);
        expect(comparison.flatOut.service.requests).toBeGreaterThan(0);
      }
      // bird asked birdImage about each bird it picked once (at random: on a busy machine it
      // may not pick all of the catalog's), then answered from its cache.
      const birdSearches = Number(
        /^(\d+) searches reached the stand-in Unsplash$/.exec(bird.check)?.[1],
      );
      expect(birdSearches).toBeGreaterThan(0);
      expect(birdSearches).toBeLessThanOrEqual(catalog.length);
      expect(cachedLookups.check).toBe('0 searches reached the stand-in Unsplash');
      expect(breakerOpen.check).toMatch(/^8 calls reached the dead upstream/);
      expect(results.startup.bird.cpuMs.median).toBeGreaterThan(results.startup.bare.cpuMs.median);
      expect(results.peakRssBytes['bird-image']).toBeGreaterThan(20 * 2 ** 20);

      const targets = targetsOf(results, settings);
      expect(targets.every((target) => target.verdict !== 'n/a')).toBe(true);
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
    },
  );
});
