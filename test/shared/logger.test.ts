import { describe, expect, it } from 'vitest';
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
