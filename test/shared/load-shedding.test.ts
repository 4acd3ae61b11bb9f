import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadShedder } from '../../apps/shared/http/load-shedding.js';
import { bareService, keaAtRoot, serveService } from '../support/serve-service.js';
import { sampleValue } from '../support/telemetry.js';

const gates: (() => void)[] = [];
afterEach(() => {
  for (const open of gates.splice(0)) open();
});

async function start(loadShedder: LoadShedder) {
  const service = bareService(
    (router) => {
      keaAtRoot(router);
      router.get('/slow', async (ctx) => {
        await new Promise<void>((resolve) => gates.push(resolve));
        ctx.body = { bird: 'slow loris' };
      });
    },
    { loadShedder },
  );
  return serveService(service);
}

const shed = async (url: string, reason: string) =>
  sampleValue(await (await fetch(`${url}/metrics`)).text(), 'http_requests_shed_total', { reason });

describe('LoadShedder', () => {
  it('answers 503 with Retry-After at once beyond its in-flight capacity, and counts it', async () => {
    const { url } = await start(new LoadShedder({ maxInFlight: 2 }));
    const slow = [fetch(`${url}/slow`), fetch(`${url}/slow`)];
    await expect.poll(() => gates.length).toBe(2);

    // The two slow requests hold their gates until the end of the test: an answer now can only
    // be one that did not wait for capacity (no clock needed, so a busy machine cannot fail it).
    const refused = await fetch(`${url}/`);
    expect(gates).toHaveLength(2);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ error: 'overloaded, retry later' });
    // The probes and the scraper are never shed.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await shed(url, 'in_flight')).toBe(1);

    for (const open of gates.splice(0)) open();
    expect((await Promise.all(slow)).map((response) => response.status)).toEqual([200, 200]);
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it('sheds while the event loop lags beyond its limit, and serves again once it catches up', async () => {
    let offsetMs = 0;
    const shedder = new LoadShedder({
      maxInFlight: 100,
      maxLagMs: 200,
      now: () => Date.now() + offsetMs,
    });
    const { url } = await start(shedder);
    expect((await fetch(`${url}/`)).status).toBe(200);
    // The clock jumps as if the loop had been blocked for half a second.
    offsetMs = 500;
    const refused = await fetch(`${url}/`);
    expect(refused.status).toBe(503);
    expect(await shed(url, 'event_loop_lag')).toBe(1);
    await sleep(100);
    expect(shedder.lagMs).toBeLessThan(200);
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it('refuses a capacity that is not a whole number of at least 1', () => {
    expect(() => new LoadShedder({ maxInFlight: 0 })).toThrowError(/maxInFlight.*0/);
  });
});
