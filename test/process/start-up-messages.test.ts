import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logDestination } from '../../apps/shared/readable-logs.js';
import { killAllServices, startService, waitUntil } from '../support/process.js';

afterEach(killAllServices);

describe('a port already in use', () => {
  it.each(['bird', 'bird-image'] as const)(
    'stops %s with one line naming the port, like a configuration error',
    async (name) => {
      const taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
      const { port } = taken.address() as AddressInfo;
      try {
        const service = startService(name, { PORT: String(port), HOST: '127.0.0.1' });
        const exit = await service.waitForExit();
        expect(exit.code).toBe(1);
        expect(service.stderr()).toBe(
          `${name}: port ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT to another port\n`,
        );
        expect(service.stdout()).not.toContain('fatal');
      } finally {
        taken.close();
      }
    },
  );
});

describe('LOG_FORMAT', () => {
  it('pretty: one readable line per event, a request as method, path, status and time', async () => {
    const service = startService('bird', { PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'pretty' });
    const lines = () => service.stdout().split('\n');
    await waitUntil('the listening line', 15_000, () =>
      lines().some((line) => /INFO: listening \{.*"port":\d+/.test(line)),
    );
    const port = /"port":(\d+)/.exec(service.stdout())![1]!;
    await fetch(`http://127.0.0.1:${port}/healthz`);
    await waitUntil('the request line', 15_000, () =>
      lines().some((line) => /INFO: request: GET \/healthz → 200 in [\d.]+ ms/.test(line)),
    );
    expect(lines().filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('auto: readable on a terminal, JSON otherwise (production, pipes, files)', async () => {
    expect(await logDestination('auto', false)).toBeUndefined();
    expect(await logDestination('json', true)).toBeUndefined();
    expect(await logDestination('auto', true)).toBeDefined();
    expect(await logDestination('pretty', false)).toBeDefined();
  });
});
