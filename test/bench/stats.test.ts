import { describe, expect, it } from 'vitest';
import { judge, quantile, spreadOf } from '../../bench/stats.js';

describe('the bench statistics', () => {
  it('interpolates quantiles between ranks and leaves out what is not a number', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.99)).toBe(10);
    expect(quantile([], 0.5)).toBeNaN();
    expect(spreadOf([7, Number.NaN, 1, 3, 2, 4, 6, 5])).toEqual({ median: 4, min: 1, max: 7 });
  });

  it('judges on every round: met, missed, or inconclusive when they straddle the bound', () => {
    expect(judge(spreadOf([1, 2, 3, 3.5, 3.8, 3.9, 4]), 4)).toBe('met');
    // One odd round cannot make a verdict: it makes it inconclusive, either way.
    expect(judge(spreadOf([1, 2, 3, 3.5, 3.8, 3.9, 50]), 4)).toBe('inconclusive');
    expect(judge(spreadOf([3.9, 5, 6, 7, 8, 9, 10]), 4)).toBe('inconclusive');
    expect(judge(spreadOf([5, 6, 7, 8, 9, 10, 11]), 4)).toBe('missed');
    expect(judge(spreadOf([3, 3.5, 3.8, 4.2, 4.5, 5, 6]), 4)).toBe('inconclusive');
    expect(judge(spreadOf([]), 4)).toBe('n/a');
  });

  it('calls a miss inconclusive when the machine gauge missed its own bound too', () => {
    const slow = spreadOf([20, 30, 40]);
    expect(judge(slow, 5, { spread: spreadOf([1, 2, 3]), bound: 5 })).toBe('missed');
    expect(judge(slow, 5, { spread: spreadOf([8, 9, 10]), bound: 5 })).toBe('inconclusive');
    expect(judge(spreadOf([1, 2, 3]), 5, { spread: spreadOf([8, 9, 10]), bound: 5 })).toBe('met');
  });
});
