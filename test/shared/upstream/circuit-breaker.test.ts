import { beforeEach, describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  type CircuitState,
} from '../../../apps/shared/upstream/circuit-breaker.js';

let clock: number;
let changes: CircuitState[];

beforeEach(() => {
  clock = 0;
  changes = [];
});

function breaker(threshold = 3) {
  return new CircuitBreaker({
    threshold,
    halfOpenAfterMs: 1000,
    onStateChange: (state) => changes.push(state),
    now: () => clock,
  });
}

function open(subject: CircuitBreaker): void {
  for (let i = 0; i < 3; i++) {
    expect(subject.tryCall()).toBe(true);
    subject.failed();
  }
  expect(subject.state).toBe('open');
}

/** A breaker opened at time 0 whose clock has since come to `time`. */
function openedUntil(time: number): CircuitBreaker {
  const subject = breaker();
  open(subject);
  clock = time;
  return subject;
}

/** A breaker opened at time 0 that let its trial call through at `time`. */
function onTrialFrom(time: number): CircuitBreaker {
  const subject = openedUntil(time);
  subject.tryCall();
  return subject;
}

describe('CircuitBreaker', () => {
  it('lets calls through while closed, and a success clears the failures counted so far', () => {
    const subject = breaker();
    subject.failed();
    subject.failed();
    subject.succeeded();
    subject.failed();
    subject.failed();
    expect(subject.state).toBe('closed');
    expect(subject.tryCall()).toBe(true);
    expect(changes).toEqual([]);
  });

  it('opens on the last of `threshold` failures in a row, and then turns calls away', () => {
    const subject = breaker();
    open(subject);
    expect(subject.rejectsCalls).toBe(true);
    expect(subject.tryCall()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('lets exactly one trial call through once the half-open delay has passed', () => {
    const subject = openedUntil(999);
    expect(subject.tryCall()).toBe(false);
    clock = 1000;
    expect(subject.rejectsCalls).toBe(false);
    expect(subject.tryCall()).toBe(true);
    expect(subject.state).toBe('half-open');
    expect(subject.rejectsCalls).toBe(true);
    expect(subject.tryCall()).toBe(false);
  });

  it('closes when the trial call succeeds', () => {
    const subject = onTrialFrom(1000);
    subject.succeeded();
    expect(subject.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens for another full delay when the trial call fails', () => {
    const subject = onTrialFrom(1500);
    subject.failed();
    expect(subject.state).toBe('open');
    clock = 2499;
    expect(subject.tryCall()).toBe(false);
    clock = 2500;
    expect(subject.tryCall()).toBe(true);
  });

  it('leaves an open breaker to its trial call when a call from before fails or succeeds late', () => {
    const subject = openedUntil(500);
    subject.failed();
    subject.succeeded();
    expect(subject.state).toBe('open');
    clock = 1000;
    expect(subject.tryCall()).toBe(true);
  });

  it('refuses a threshold that is not a whole number of at least 1', () => {
    expect(() => breaker(0)).toThrowError(/threshold must be a whole number ≥ 1, not 0/);
  });
});
