import { describe, expect, it } from 'vitest';
import { upstreamDeadline } from '../../../apps/shared/upstream/deadline.js';

describe('upstreamDeadline', () => {
  const receivedAt = 1_700_000_000_000;

  it('ends the calls a quarter of the budget early, to leave time for the answer', () => {
    expect(upstreamDeadline(receivedAt, 2000) - receivedAt).toBe(1500);
    expect(upstreamDeadline(receivedAt, 300) - receivedAt).toBe(225);
  });

  it('keeps back at most 500 ms of a long budget', () => {
    expect(upstreamDeadline(receivedAt, 10_000) - receivedAt).toBe(9500);
  });

  it('answers whole milliseconds, which timers need', () => {
    expect(Number.isInteger(upstreamDeadline(receivedAt, 333))).toBe(true);
  });
});
