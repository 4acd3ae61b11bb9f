import { describe, expect, it } from 'vitest';
import { createLogger, requestLineWriter, type RequestLine } from '../../apps/shared/logger.js';
import { captureLogs } from '../support/telemetry.js';

describe('createLogger', () => {
  it('writes one JSON line per event with an ISO time and a named level', () => {
    const logs = captureLogs();
    logs.logger.info({ route: '/' }, 'request');
    const [line] = logs.lines();
    expect(line).toMatchObject({ level: 'info', msg: 'request', route: '/' });
    expect(new Date(String(line!.time)).toISOString()).toBe(line!.time);
  });

  it('redacts credentials in the shapes they would be logged in', () => {
    const logs = captureLogs();
    const secret = 'Client-ID s3cr3t-key';
    logs.logger.warn({ authorization: secret }, 'a');
    logs.logger.warn({ headers: { authorization: secret, accept: 'application/json' } }, 'b');
    logs.logger.warn({ req: { headers: { authorization: secret } } }, 'c');
    logs.logger.warn({ config: { unsplashAccessKey: 's3cr3t-key', port: 4200 } }, 'd');
    logs.logger.warn({ unsplashAccessKey: 's3cr3t-key' }, 'e');
    expect(logs.text()).not.toContain('s3cr3t');
    expect(logs.lines()).toHaveLength(5);
    expect(logs.lines()[1]).toMatchObject({ headers: { accept: 'application/json' } });
    expect(logs.lines()[3]).toMatchObject({ config: { port: 4200 } });
  });
});

describe('requestLineWriter', () => {
  /** What a logger at `level` writes, and the level its output was told before each line. */
  function capture(level: 'info' | 'warn', bindings?: Record<string, string>) {
    const lines: string[] = [];
    const levels: number[] = [];
    // An output that asks pino for each line's level first, as BoundedLogOutput does.
    const destination = {
      [Symbol.for('pino.metadata')]: true,
      lastLevel: 0,
      write(text: string) {
        levels.push(this.lastLevel);
        lines.push(text);
      },
    };
    const root = createLogger(level, { service: 'bird', destination });
    return { logger: bindings ? root.child(bindings) : root, lines, levels };
  }

  const line = (overrides: Partial<RequestLine> = {}): RequestLine => ({
    method: 'GET',
    route: '/',
    status: 200,
    path: '/',
    durationMs: 1.234,
    requestId: '11670c8d-7020-4e7b-ab59-3b3e49561a61',
    ...overrides,
  });

  it.each([
    ['a plain request', line()],
    ['a path with quotes, backslashes and control characters', line({ path: '/a"b\\c\n\u0001' })],
    ['a path beyond 100 characters', line({ path: `/${'x'.repeat(150)}"` })],
    ['a non-ASCII path and a whole-number duration', line({ path: '/é😀', durationMs: 2 })],
    ['an unmatched route and an error status', line({ route: 'unmatched', status: 404 })],
  ])('writes, byte for byte, what logger.info writes: %s', (_case, fields) => {
    for (const child of [undefined, { component: 'test' }]) {
      const ours = capture('info', child);
      requestLineWriter(ours.logger)(fields);
      const pinos = capture('info', child);
      pinos.logger.info({ ...fields }, 'request');
      // The time is the only part that may differ: it is pino's own clock, read per line.
      const withoutTime = (text: string) => text.replace(/"time":"[^"]+"/, '"time":""');
      expect(ours.lines.map(withoutTime)).toEqual(pinos.lines.map(withoutTime));
      expect(ours.lines[0]!.endsWith('\n')).toBe(true);
      // BoundedLogOutput batches a line below warn: it learns the level as from pino.
      expect(ours.levels).toEqual(pinos.levels);
      expect(ours.levels).toEqual([30]);
    }
  });

  it('escapes a lone surrogate, where pino copies it raw: the line stays valid JSON', () => {
    const ours = capture('info');
    requestLineWriter(ours.logger)(line({ path: '/\ud800x' }));
    expect(ours.lines[0]).toContain('"path":"/\\ud800x"');
    expect(JSON.parse(ours.lines[0]!)).toMatchObject({ path: '/\ud800x' });
  });

  it('writes nothing when the logger is above info', () => {
    const quiet = capture('warn');
    requestLineWriter(quiet.logger)(line());
    expect(quiet.lines).toEqual([]);
  });
});
