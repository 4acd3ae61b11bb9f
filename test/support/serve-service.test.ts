import { beforeAll, describe, expect, it } from 'vitest';
import { bareService, keaAtRoot, serveService } from './serve-service.js';

// The test support's own promise: what a test starts is closed when it is done, with no close
// written in the test. The tests of one file run in order, so the second sees what the first
// left behind.

const answers = async (url: string) =>
  fetch(url).then(
    (response) => response.status,
    () => 'refused',
  );

describe('serveService closes what it served', () => {
  let servedForTheFile: string;
  let servedInATest: string;

  beforeAll(async () => {
    servedForTheFile = (await serveService(bareService(keaAtRoot))).url;
  });

  it('serves, on 127.0.0.1 and a port of its own', async () => {
    servedInATest = (await serveService(bareService(keaAtRoot))).url;
    expect(servedInATest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(servedInATest)).json()).toEqual({ bird: 'kea' });
  });

  it('once the test that served it is done; from a beforeAll, once the file is', async () => {
    expect(await answers(servedInATest)).toBe('refused');
    expect(await answers(servedForTheFile)).toBe(200);
  });
});
