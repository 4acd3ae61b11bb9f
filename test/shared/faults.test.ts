import { describe, expect, it } from 'vitest';
import { birdService } from '../../apps/bird/service.js';
import { birdImageService } from '../../apps/bird-image/service.js';
import {
  ConfigError,
  MAX_FAULT_LATENCY_MS,
  NO_FAULTS,
  type Env,
  type FaultSettings,
} from '../../apps/shared/config.js';
import { runInProcess } from '../support/in-process.js';
import { bareService, serveService } from '../support/serve-service.js';
import { captureLogs, sampleValue, scrapeSample } from '../support/telemetry.js';

/** An app with one route, `GET /bird`, and the given faults; `random` hands out `draws` in turn. */
async function appWith(faults: Partial<FaultSettings>, draws: number[] = [], realSleep = false) {
  const logs = captureLogs();
  const sleeps: number[] = [];
  const service = bareService(
    (router) =>
      router.get('/bird', (ctx) => {
        ctx.body = { name: 'robin' };
      }),
    {
      faults: { ...NO_FAULTS, ...faults },
      random: () => draws.shift() ?? 0.99,
      ...(realSleep ? {} : { sleep: (ms: number) => Promise.resolve(void sleeps.push(ms)) }),
    },
  );
  const app = await serveService(service, { logger: logs.logger });
  const get = (path: string) => fetch(`${app.url}${path}`);
  return { url: app.url, get, logs, sleeps };
}

describe('faults switched off (the default)', () => {
  it('answers as usual, announces nothing and reports every fault at 0', async () => {
    const { get, logs, url, sleeps } = await appWith({}, [0]);
    expect((await get('/bird')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    expect(sleeps).toEqual([]);
    expect(logs.lines().filter((line) => line.level === 'warn')).toEqual([]);
    const exposition = await (await fetch(`${url}/metrics`)).text();
    for (const gauge of ['faults_error_ratio', 'faults_latency_seconds', 'faults_unready']) {
      expect(exposition).toContain(`\n${gauge} 0\n`);
    }
  });
});

describe('FAULT_ERROR_RATIO', () => {
  it('answers the drawn share 500, counted and logged as a real error', async () => {
    const { get, url, logs } = await appWith({ errorRatio: 0.5 }, [0.1, 0.7, 0.49, 0.5, 0]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/bird')).status);
    expect(statuses).toEqual([500, 200, 500, 200]);

    const failed = await get('/bird'); // a draw of 0 fails under any ratio above 0
    expect(await failed.json()).toEqual({ error: 'internal error' });
    const exposition = await (await fetch(`${url}/metrics`)).text();
    const counted = { route: '/bird', status: '500' };
    expect(sampleValue(exposition, 'http_requests_total', counted)).toBe(3);
    expect(sampleValue(exposition, 'faults_injected_total', { fault: 'error' })).toBe(3);
    expect(sampleValue(exposition, 'faults_error_ratio')).toBe(0.5);
    const errors = logs.lines().filter((line) => line.msg === 'unhandled error');
    expect(errors).toHaveLength(3);
    expect(JSON.stringify(errors[0])).toContain('FAULT_ERROR_RATIO=0.5');
  });

  it('never touches liveness, readiness or the scrape', async () => {
    const { get } = await appWith({ errorRatio: 1 }, [0, 0, 0, 0]);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await get(path)).status, path).toBe(200);
    }
    expect((await get('/bird')).status).toBe(500);
  });

  it('never touches them in any spelling the router matches (any case, one trailing slash)', async () => {
    const { get } = await appWith({ errorRatio: 1 }, [0, 0, 0, 0, 0, 0]);
    for (const path of ['/HEALTHZ', '/healthz/', '/Readyz/', '/metrics/', '/METRICS']) {
      expect((await get(path)).status, path).toBe(200);
    }
    expect((await get('/BIRD/')).status).toBe(500);
  });
});

describe('FAULT_LATENCY_MS', () => {
  it('holds back every answer but the operational ones', async () => {
    const { get, url, sleeps } = await appWith({ latencyMs: 1200 });
    await get('/bird');
    await get('/no/such/route');
    await get('/healthz');
    await get('/readyz');
    expect(sleeps).toEqual([1200, 1200]);
    expect(await scrapeSample(url, 'faults_latency_seconds')).toBe(1.2);
    expect(await scrapeSample(url, 'faults_injected_total', { fault: 'latency' })).toBe(2);
  });

  it('counts the delay in the request duration, as a slow answer', async () => {
    const { get, url } = await appWith({ latencyMs: 300 }, [], true);
    expect((await get('/bird')).status).toBe(200);
    const exposition = await (await fetch(`${url}/metrics`)).text();
    const bucket = (le: string) =>
      sampleValue(exposition, 'http_request_duration_seconds_bucket', { route: '/bird', le });
    expect(bucket('0.25'), 'no answer within 250 ms').toBe(0);
    expect(bucket('+Inf')).toBe(1);
  });
});

describe('FAULT_UNREADY', () => {
  it('answers /readyz 503 and everything else as usual', async () => {
    const { get, url } = await appWith({ unready: true });
    const readiness = await get('/readyz');
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'unready', reason: 'FAULT_UNREADY is set' });
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/bird')).status).toBe(200);
    expect(await scrapeSample(url, 'faults_unready')).toBe(1);
  });
});

const SERVICES = {
  bird: { run: (env: Env) => runInProcess(birdService, env), loadConfig: birdService.loadConfig },
  'bird-image': {
    run: (env: Env) => runInProcess(birdImageService, env),
    loadConfig: birdImageService.loadConfig,
  },
};

describe.each(Object.entries(SERVICES))('%s started with faults', (_name, service) => {
  it('announces them in one warning line at start', async () => {
    const started = await service.run({
      PORT: '0',
      HOST: '127.0.0.1',
      FAULT_ERROR_RATIO: '0.25',
      FAULT_LATENCY_MS: '1500',
      FAULT_UNREADY: 'true',
    });
    await started.waitForPort();
    const announced = started
      .stdoutLines()
      .filter((line) => line.includes('FAULT_'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(announced).toMatchObject([
      {
        level: 'warn',
        msg: 'faults switched on: FAULT_ERROR_RATIO=0.25 FAULT_LATENCY_MS=1500 FAULT_UNREADY=true',
        faults: { errorRatio: 0.25, latencyMs: 1500, unready: true },
      },
    ]);
  });

  it('reads the variables, and refuses bad values in one line naming each', () => {
    expect(service.loadConfig({}).faults).toEqual(NO_FAULTS);
    const set = { FAULT_ERROR_RATIO: '0.05', FAULT_LATENCY_MS: '0', FAULT_UNREADY: 'false' };
    expect(service.loadConfig(set).faults).toEqual({ ...NO_FAULTS, errorRatio: 0.05 });
    expect(service.loadConfig({ FAULT_ERROR_RATIO: '1' }).faults.errorRatio).toBe(1);
    const bad = {
      FAULT_ERROR_RATIO: '5%',
      FAULT_LATENCY_MS: String(MAX_FAULT_LATENCY_MS + 1),
      FAULT_UNREADY: 'yes',
    };
    expect(() => service.loadConfig(bad)).toThrowError(ConfigError);
    expect(() => service.loadConfig(bad)).toThrowError(
      'invalid configuration: FAULT_ERROR_RATIO="5%" must be a decimal from 0 to 1, e.g. 0.25; ' +
        `FAULT_LATENCY_MS="10001" must be a whole number from 0 to ${MAX_FAULT_LATENCY_MS}; ` +
        'FAULT_UNREADY="yes" must be true or false',
    );
    for (const ratio of ['1.5', '-0.1', '.5', '0,5']) {
      expect(() => service.loadConfig({ FAULT_ERROR_RATIO: ratio }), ratio).toThrowError(
        /FAULT_ERROR_RATIO/,
      );
    }
  });
});
