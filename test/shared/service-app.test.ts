import { beforeEach, describe, expect, it } from 'vitest';
import { bareService, serveService, type ServedBareService } from '../support/serve-service.js';
import { captureLogs, sampleValue, type CapturedLogger } from '../support/telemetry.js';

let logs: CapturedLogger;
let served: ServedBareService;

beforeEach(async () => {
  logs = captureLogs();
  const service = bareService((router) => {
    router.get('/birds/:id', (ctx) => {
      ctx.body = { id: ctx.params.id };
    });
    router.get('/boom', () => {
      throw new Error('secret internal detail at db-7.internal');
    });
    router.get('/teapot', (ctx) => {
      ctx.throw(418, 'no coffee here');
    });
    router.get('/flaky', (ctx) => {
      ctx.status = ctx.query.fail === undefined ? 200 : 503;
      ctx.body = {};
    });
  });
  served = await serveService(service, { logger: logs.logger });
});

describe('createServiceApp', () => {
  it('serves liveness and readiness, and readiness drains', async () => {
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${served.url}/readyz`)).status).toBe(200);
    served.deps.readiness.drain();
    const readiness = await fetch(`${served.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'draining' });
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${served.url}/no/such/path`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'not found' });
  });

  it('answers unsupported methods with a JSON 405 and an Allow header', async () => {
    const response = await fetch(`${served.url}/healthz`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toContain('GET');
    expect(await response.json()).toEqual({ error: 'method not allowed' });
  });

  it('keeps the message of a client error', async () => {
    const response = await fetch(`${served.url}/teapot`);
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({ error: 'no coffee here' });
  });

  it('answers an unexpected error with a bare 500 and logs it with the request id', async () => {
    const response = await fetch(`${served.url}/boom`, { headers: { 'x-request-id': 'req-500' } });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'internal error' });
    expect(body).not.toContain('db-7');
    const logged = logs.lines().find((line) => line.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', requestId: 'req-500' });
    expect(JSON.stringify(logged)).toContain('db-7.internal');
  });

  it('echoes a sane request id and replaces an unsafe one', async () => {
    const kept = await fetch(`${served.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const unsafe = await fetch(`${served.url}/healthz`, {
      headers: { 'x-request-id': 'x'.repeat(500) },
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await fetch(`${served.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one JSON log line per request with method, route, status, duration and id', async () => {
    await fetch(`${served.url}/birds/7?x=1`, { headers: { 'x-request-id': 'req-log' } });
    await fetch(`${served.url}/nowhere`);
    const requests = logs.lines().filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      route: '/birds/:id',
      path: '/birds/7',
      status: 200,
      requestId: 'req-log',
    });
    expect(requests[0]!.durationMs).toEqual(expect.any(Number));
    expect(requests[1]).toMatchObject({ route: 'unmatched', status: 404 });
  });

  it('exposes the contract metrics with matched routes as labels', async () => {
    await fetch(`${served.url}/birds/1`);
    await fetch(`${served.url}/birds/2`);
    await fetch(`${served.url}/what`);
    const response = await fetch(`${served.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const exposition = await response.text();
    const labels = { method: 'GET', route: '/birds/:id', status: '200' };
    expect(sampleValue(exposition, 'http_requests_total', labels)).toBe(2);
    expect(sampleValue(exposition, 'http_request_duration_seconds_count', labels)).toBe(2);
    expect(
      sampleValue(exposition, 'http_requests_total', { route: 'unmatched', status: '404' }),
    ).toBe(1);
    for (const name of [
      'upstream_requests_total',
      'upstream_request_duration_seconds',
      'cache_lookups_total',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(exposition).toContain(`# TYPE ${name} `);
    }
  });

  it('counts each method, route and status in a series of its own', async () => {
    await fetch(`${served.url}/flaky`);
    await fetch(`${served.url}/flaky?fail=1`);
    await fetch(`${served.url}/flaky?fail=1`);
    await fetch(`${served.url}/flaky`, { method: 'HEAD' });
    const exposition = await (await fetch(`${served.url}/metrics`)).text();
    const series = (method: string, status: string) => ({ method, route: '/flaky', status });
    const counted = (name: string, method: string, status: string) =>
      sampleValue(exposition, name, series(method, status));
    for (const name of ['http_requests_total', 'http_request_duration_seconds_count']) {
      expect([
        counted(name, 'GET', '200'),
        counted(name, 'GET', '503'),
        counted(name, 'HEAD', '200'),
      ]).toEqual([1, 2, 1]);
    }
  });
});
