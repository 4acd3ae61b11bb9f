import { afterAll, onTestFinished, TestRunner } from 'vitest';

const atFileEnd: (() => Promise<unknown>)[] = [];

// Registered on the file that imports this module: Vitest evaluates the test support afresh for
// each test file (its default `isolate`), while it collects that file's tests, which is when a
// hook at the top level lands on the file. (React Testing Library registers its cleanup so.)
afterAll(async () => {
  await Promise.all(atFileEnd.splice(0).map((close) => close()));
});

/**
 * Runs `close` once the test under way has finished (after its `afterEach` hooks), when called
 * in a test or a `beforeEach`; once the test file has finished, when called in a `beforeAll`.
 * The test support's starters call it, so that no test closes what it started.
 */
export function closeWhenDone(close: () => Promise<unknown>): void {
  if (TestRunner.getCurrentTest() === undefined) atFileEnd.push(close);
  else
    onTestFinished(async () => {
      await close();
    });
}
