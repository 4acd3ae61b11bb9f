import { describe, expect, it } from 'vitest';
import { spreadOf } from '../../bench/stats.js';
import { headlineTargets, megabytes } from '../../bench/targets.js';

/** The headline's verdicts on made-up figures: the CPU ratio of each round, and the pair's RSS. */
const verdicts = (ratios: number[], highestRssBytes: number) =>
  headlineTargets({
    name: 'bird `GET /`, both processes',
    rate: 4000,
    cpuRatio: spreadOf(ratios),
    highestRssBytes,
  }).map((target) => target.verdict);

describe('the headline targets', () => {
  it('judges CPU per request against 2.5 × bare on every round', () => {
    expect(verdicts([2, 2.3, 2.5], 100e6)[0]).toBe('met');
    expect(verdicts([2.3, 2.6, 2.8], 100e6)[0]).toBe('inconclusive');
    expect(verdicts([2.6, 3.2, 3.7], 100e6)[0]).toBe('missed');
  });

  it("judges the pair's highest RSS against 140 MB, in bytes of 1,000 × 1,000", () => {
    expect(verdicts([2], 140e6)[1]).toBe('met');
    expect(verdicts([2], 139e6)[1]).toBe('met');
    expect(verdicts([2], 141e6)[1]).toBe('missed');
    // 135 MiB is 141.6 MB: within 140 MiB, beyond 140 MB.
    expect(verdicts([2], 135 * 2 ** 20)[1]).toBe('missed');
  });

  it('states the RSS bound in MB and in MiB', () => {
    const [cpu, rss] = headlineTargets({
      name: 'both',
      rate: 4000,
      cpuRatio: spreadOf([2]),
      highestRssBytes: 150e6,
    });
    expect(cpu!.goal).toBe('both: CPU per request ≤ 2.5 × bare, at 4,000 req/s');
    expect(rss!.goal).toBe('both: RSS of the two ≤ 140 MB (133.5 MiB), the highest at 4,000 req/s');
    expect(rss!.measured.max).toBe(150);
    expect(rss!.unit).toBe('MB');
    expect(megabytes(161 * 2 ** 20)).toBe('168.8 MB (161 MiB)');
  });
});
