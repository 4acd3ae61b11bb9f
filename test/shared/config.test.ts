import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import { loadConfig as loadBirdConfig } from '../../apps/bird/config.js';
import { loadConfig as loadBirdImageConfig } from '../../apps/bird-image/config.js';

const loaders = { bird: loadBirdConfig, birdImage: loadBirdImageConfig };

function configError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe.each(Object.entries(loaders))('%s config (shared variables)', (_service, load) => {
  it('applies the documented defaults', () => {
    expect(load({})).toMatchObject({
      host: '0.0.0.0',
      logLevel: 'info',
      defaultImageUrl: MISSINGNO_IMAGE_URL,
      upstreamTimeoutMs: 2000,
      shutdown: { delayMs: 0, timeoutMs: 10_000 },
    });
  });

  it('reads every shared variable', () => {
    expect(
      load({
        PORT: '8080',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        DEFAULT_IMAGE_URL: 'https://cdn.example/bird.png/',
        UPSTREAM_TIMEOUT_MS: '750',
        SHUTDOWN_DELAY_MS: '5000',
        SHUTDOWN_TIMEOUT_MS: '20000',
      }),
    ).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      defaultImageUrl: 'https://cdn.example/bird.png',
      upstreamTimeoutMs: 750,
      shutdown: { delayMs: 5000, timeoutMs: 20_000 },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(load({ PORT: '', LOG_LEVEL: ' ' }).logLevel).toBe('info');
  });

  it('returns a frozen config', () => {
    const config = load({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.shutdown)).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['HOST', 'local host'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['DEFAULT_IMAGE_URL', 'not a url'],
    ['DEFAULT_IMAGE_URL', 'ftp://images.example/x.png'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['UPSTREAM_TIMEOUT_MS', '2s'],
    ['SHUTDOWN_DELAY_MS', '-5'],
    ['SHUTDOWN_TIMEOUT_MS', '1.5'],
  ])('refuses %s=%s in one line naming the variable and the value', (name, value) => {
    const message = configError(() => load({ [name]: value }));
    expect(message).toContain(`${name}=${JSON.stringify(value)}`);
    expect(message).not.toContain('\n');
  });

  it('names every invalid variable at once', () => {
    const message = configError(() => load({ PORT: 'abc', LOG_LEVEL: 'loud' }));
    expect(message).toMatch(/PORT="abc".*LOG_LEVEL="loud"/);
  });
});

describe('bird config', () => {
  it('defaults to the local birdImage and the embedded catalog', () => {
    expect(loadBirdConfig({})).toMatchObject({
      port: 4201,
      birdImageUrl: 'http://localhost:4200',
      birdFactsUrl: undefined,
    });
  });

  it('reads BIRD_IMAGE_URL and BIRD_FACTS_URL', () => {
    expect(
      loadBirdConfig({
        BIRD_IMAGE_URL: 'http://bird-image/',
        BIRD_FACTS_URL: 'https://birds.example/api/birds',
      }),
    ).toMatchObject({
      birdImageUrl: 'http://bird-image',
      birdFactsUrl: 'https://birds.example/api/birds',
    });
  });

  it.each(['BIRD_IMAGE_URL', 'BIRD_FACTS_URL'])('refuses a %s that does not parse', (name) => {
    expect(configError(() => loadBirdConfig({ [name]: 'birds' }))).toContain(`${name}="birds"`);
  });
});

describe('birdImage config', () => {
  it('defaults to port 4200, the public Unsplash API and no key', () => {
    expect(loadBirdImageConfig({})).toMatchObject({
      port: 4200,
      unsplashApiUrl: 'https://api.unsplash.com',
      unsplashAccessKey: undefined,
    });
  });

  it('never echoes an invalid key', () => {
    const message = configError(() => loadBirdImageConfig({ UNSPLASH_ACCESS_KEY: 'sec ret-key' }));
    expect(message).toContain('UNSPLASH_ACCESS_KEY=(hidden)');
    expect(message).not.toContain('sec ret');
  });

  it('refuses both a key and a key file', () => {
    expect(
      configError(() =>
        loadBirdImageConfig({ UNSPLASH_ACCESS_KEY: 'k', UNSPLASH_ACCESS_KEY_FILE: '/k' }),
      ),
    ).toMatch(/UNSPLASH_ACCESS_KEY or UNSPLASH_ACCESS_KEY_FILE/);
  });

  it('treats a missing key file as no key, since the Secret is optional', () => {
    const config = loadBirdImageConfig({ UNSPLASH_ACCESS_KEY_FILE: '/nonexistent/aviary/key' });
    expect(config.unsplashAccessKey).toBeUndefined();
    expect(config.unsplashKeyAbsence).toContain('/nonexistent/aviary/key');
  });

  it('refuses a key file that cannot be read', () => {
    expect(
      configError(() => loadBirdImageConfig({ UNSPLASH_ACCESS_KEY_FILE: tmpdir() })),
    ).toContain(`UNSPLASH_ACCESS_KEY_FILE=${JSON.stringify(tmpdir())} cannot be read`);
  });
});
