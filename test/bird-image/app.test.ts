import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { birdImageService } from '../../apps/bird-image/service.js';
import { MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import type { ServedApp } from '../../apps/shared/service.js';
import { serveService } from '../support/serve-service.js';
import { stubUpstream } from '../support/stand-ins.js';
import {
  captureLogs,
  scrapeSample,
  type CapturedLogger,
  upstreamCalls,
} from '../support/telemetry.js';
import { dueWithin } from '../support/time-budget.js';
import {
  hang,
  json,
  oversized,
  raw,
  refusingUrl,
  thumbnailFor,
  unsplashSearch,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';

const KEY = 'test-access-key-0123';
// Room for three attempts on a busy machine (at 300 ms a loaded core made a retry miss the
// deadline, or the first call fall back); the deadline cases below still end well inside a test.
const TIMEOUT_MS = 1000;

let unsplash: StubUpstream;
let served: ServedApp;
let logs: CapturedLogger;

async function startBirdImage(env: Record<string, string> = {}, logLevel?: 'debug') {
  logs = captureLogs(logLevel);
  served = await serveService(birdImageService, {
    env: {
      UNSPLASH_API_URL: unsplash.url,
      UNSPLASH_ACCESS_KEY: KEY,
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      ...env,
    },
    logger: logs.logger,
  });
}

async function imageFor(query: string) {
  const response = await fetch(`${served.url}/${query}`);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}

beforeEach(async () => {
  unsplash = await stubUpstream(unsplashSearch());
});

describe('birdImage GET /?birdName=', () => {
  it('answers, as a JSON string, the first Unsplash thumbnail for the name', async () => {
    await startBirdImage();
    const answer = await imageFor('?birdName=Bald%20Eagle');
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toBe(thumbnailFor('bald eagle'));
    expect(answer.body).not.toContain('\n');
  });

  it('asks Unsplash with the key in the Authorization header, never in the URL', async () => {
    await startBirdImage();
    await imageFor('?birdName=Kea');
    const [request] = unsplash.requests;
    expect(request!.headers.authorization).toBe(`Client-ID ${KEY}`);
    const url = new URL(request!.url, 'http://stub');
    expect(url.pathname).toBe('/search/photos');
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: 'kea', per_page: '1' });
    expect(request!.url).not.toContain(KEY);
    expect(logs.text()).not.toContain(KEY);
  });

  it('reads the key from UNSPLASH_ACCESS_KEY_FILE', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aviary-')), 'access-key');
    writeFileSync(file, 'key-from-file\n');
    await startBirdImage({ UNSPLASH_ACCESS_KEY: '', UNSPLASH_ACCESS_KEY_FILE: file });
    await imageFor('?birdName=Kea');
    expect(unsplash.requests[0]!.headers.authorization).toBe('Client-ID key-from-file');
  });

  it('answers the default image without any call when there is no key', async () => {
    await startBirdImage({ UNSPLASH_ACCESS_KEY: '' });
    const answer = await imageFor('?birdName=Kea');
    expect(JSON.parse(answer.body)).toBe(MISSINGNO_IMAGE_URL);
    expect(unsplash.requests).toHaveLength(0);
  });

  it.each([
    ['no birdName', ''],
    ['an empty birdName', '?birdName='],
    ['a blank birdName', '?birdName=%20%20'],
  ])('answers the default image for %s, without a call', async (_case, query) => {
    await startBirdImage();
    const answer = await imageFor(query);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toBe(MISSINGNO_IMAGE_URL);
    expect(unsplash.requests).toHaveLength(0);
  });

  it('answers DEFAULT_IMAGE_URL when it is set', async () => {
    await startBirdImage({
      UNSPLASH_ACCESS_KEY: '',
      DEFAULT_IMAGE_URL: 'https://cdn.example/bird.png',
    });
    expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe('https://cdn.example/bird.png');
  });

  describe('falls back to the default image, never an error, when Unsplash', () => {
    it.each([
      ['finds nothing', json({ total: 0, results: [] })],
      ['answers 500', json({ errors: ['boom'] }, { status: 500 })],
      ['answers 401', json({ errors: ['OAuth error'] }, { status: 401 })],
      [
        'rate-limits with a long Retry-After',
        raw('{}', { status: 429, headers: { 'retry-after': '3600' } }),
      ],
      ['answers malformed JSON', raw('{"results": [')],
      [
        'answers an unexpected shape',
        json({ results: [{ urls: { thumb: 'javascript:alert(1)' } }] }),
      ],
      ['answers an oversized body', oversized(1024 * 1024)],
      ['hangs past the deadline', hang()],
    ])('%s', async (_case, behaviour) => {
      unsplash.behave(behaviour);
      await startBirdImage();
      const started = Date.now();
      const answer = await imageFor('?birdName=Kea');
      expect(Date.now() - started).toBeLessThan(dueWithin(TIMEOUT_MS));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toBe(MISSINGNO_IMAGE_URL);
    });

    it('refuses connections', async () => {
      await startBirdImage({ UNSPLASH_API_URL: await refusingUrl() });
      expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe(MISSINGNO_IMAGE_URL);
      expect(await upstreamCalls(served.url, 'unsplash', 'fallback')).toBe(1);
      expect(await upstreamCalls(served.url, 'unsplash', 'error')).toBe(1);
    });
  });

  it('records a timeout and a fallback when Unsplash hangs', async () => {
    unsplash.behave(hang());
    await startBirdImage();
    await imageFor('?birdName=Kea');
    expect(await upstreamCalls(served.url, 'unsplash', 'timeout')).toBe(1);
    expect(await upstreamCalls(served.url, 'unsplash', 'fallback')).toBe(1);
  });

  it('stops calling a failing Unsplash once the breaker opens', async () => {
    unsplash.behave(json({}, { status: 503 }));
    await startBirdImage();
    for (let i = 0; i < 8; i++) await imageFor(`?birdName=bird${i}`);
    // 5 consecutive failed calls of 3 attempts each open the breaker; the rest never leave.
    expect(unsplash.requests).toHaveLength(15);
    expect(await upstreamCalls(served.url, 'unsplash', 'circuit_open')).toBe(3);
  });

  it('warns of each failed call, but logs a fallback for an open breaker at debug only', async () => {
    unsplash.behave(json({}, { status: 503 }));
    await startBirdImage({}, 'debug');
    for (let i = 0; i < 8; i++) await imageFor(`?birdName=bird${i}`);
    const fallbacks = logs.lines().filter((line) => line.upstream === 'unsplash' && line.outcome);
    const levelOf = (outcome: string) =>
      fallbacks.filter((line) => line.outcome === outcome).map((line) => line.level);
    expect(levelOf('error')).toEqual(Array(5).fill('warn'));
    expect(levelOf('circuit_open')).toEqual(Array(3).fill('debug'));
    // The breaker's opening itself is a warning, once.
    expect(logs.lines().filter((line) => line.msg === 'circuit breaker')).toMatchObject([
      { level: 'warn', state: 'open' },
    ]);
  });

  it('answers a cached name while the breaker is open, and the rest without calling', async () => {
    await startBirdImage();
    const cached = await imageFor('?birdName=Kea');
    unsplash.behave(json({}, { status: 503 }));
    for (let i = 0; i < 5; i++) await imageFor(`?birdName=bird${i}`);
    const callsWhenOpened = unsplash.requests.length;
    expect((await imageFor('?birdName=kea')).body).toBe(cached.body);
    expect(JSON.parse((await imageFor('?birdName=Dodo')).body)).toBe(MISSINGNO_IMAGE_URL);
    expect(unsplash.requests).toHaveLength(callsWhenOpened);
  });

  describe('photo URLs from Unsplash', () => {
    const answering = (thumb: unknown) => json({ total: 1, results: [{ urls: { thumb } }] });

    it.each([
      ['a loopback http URL', 'http://127.0.0.1/admin'],
      ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
      ['an https URL on another host', 'https://evil.example/kea.jpg'],
      ['credentials', 'https://user:pass@images.unsplash.com/kea.jpg'],
      ['another port', 'https://images.unsplash.com:8443/kea.jpg'],
      ['plain http on the image host', 'http://images.unsplash.com/kea.jpg'],
      ['a 200,000-character URL', `https://images.unsplash.com/${'k'.repeat(200_000)}`],
      ['a javascript: URL', 'javascript:alert(1)'],
    ])('refuses %s: the default image, logged, cached as "no photo"', async (_case, thumb) => {
      unsplash.behave(answering(thumb));
      await startBirdImage();
      for (let i = 0; i < 2; i++) {
        const answer = await imageFor('?birdName=Kea');
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toBe(MISSINGNO_IMAGE_URL);
      }
      expect(unsplash.requests).toHaveLength(1);
      const refused = logs.lines().filter((line) => line.msg === 'Unsplash photo URL refused');
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ level: 'warn' });
      expect(typeof refused[0]!.reason).toBe('string');
      expect(logs.text()).not.toContain(String(thumb).slice(0, 40));
    });

    it("passes on an https URL of Unsplash's image hosts, query string included", async () => {
      const thumb = 'https://plus.unsplash.com/premium_photo-1?ixlib=rb-4.0.3&q=80&w=200';
      unsplash.behave(answering(thumb));
      await startBirdImage();
      expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe(thumb);
    });

    it('takes its image hosts from UNSPLASH_IMAGE_HOSTS', async () => {
      unsplash.behave(answering('https://cdn.example/kea.jpg'));
      await startBirdImage({ UNSPLASH_IMAGE_HOSTS: 'cdn.example' });
      expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe(
        'https://cdn.example/kea.jpg',
      );
    });
  });

  describe('Unsplash search budget', () => {
    it('answers the default image, without a search, once the budget of new names is spent', async () => {
      await startBirdImage({ UNSPLASH_SEARCHES_PER_HOUR: '3' });
      for (const name of ['Kea', 'Kiwi', 'Tui']) {
        expect(JSON.parse((await imageFor(`?birdName=${name}`)).body)).toBe(
          thumbnailFor(name.toLowerCase()),
        );
      }
      for (let i = 0; i < 20; i++) {
        const answer = await imageFor(`?birdName=flood-${i}`);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toBe(MISSINGNO_IMAGE_URL);
      }
      expect(unsplash.requests).toHaveLength(3);
      // What is cached is still served: the flood evicted nothing.
      expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe(thumbnailFor('kea'));
      expect(
        await scrapeSample(served.url, 'upstream_budget_refusals_total', { upstream: 'unsplash' }),
      ).toBe(20);
      expect(await upstreamCalls(served.url, 'unsplash', 'fallback')).toBe(20);
    });
  });

  describe('cache', () => {
    it('answers a repeated name from the cache, whatever its case and spacing', async () => {
      await startBirdImage();
      const first = await imageFor('?birdName=Snowy%20Owl');
      const second = await imageFor('?birdName=%20snowy%20%20OWL');
      expect(second.body).toBe(first.body);
      expect(unsplash.requests).toHaveLength(1);
      expect(
        await scrapeSample(served.url, 'cache_lookups_total', { cache: 'unsplash', result: 'hit' }),
      ).toBe(1);
    });

    it('shares one Unsplash call between concurrent lookups of a name', async () => {
      // Unsplash answers once the other lookups have joined the first, however late they come
      // on a loaded machine (a fixed delay let a late one find the answer cached instead); or,
      // should they never join, once the request's budget has passed.
      let answerUnsplash!: () => void;
      const answered = new Promise<void>((resolve) => (answerUnsplash = resolve));
      const search = unsplashSearch();
      unsplash.behave((req, res) => void answered.then(() => search(req, res)));
      await startBirdImage();
      const coalesced = () =>
        scrapeSample(served.url, 'cache_lookups_total', { cache: 'unsplash', result: 'coalesced' });
      const lookups = Promise.all(Array.from({ length: 6 }, () => imageFor('?birdName=Kea')));
      const giveUpAt = Date.now() + TIMEOUT_MS;
      while ((await coalesced()) < 5 && Date.now() < giveUpAt) await sleep(10);
      answerUnsplash();
      const answers = await lookups;
      expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
      expect(unsplash.requests).toHaveLength(1);
      expect(
        await scrapeSample(served.url, 'cache_lookups_total', {
          cache: 'unsplash',
          result: 'miss',
        }),
      ).toBe(1);
      expect(
        await scrapeSample(served.url, 'cache_lookups_total', {
          cache: 'unsplash',
          result: 'coalesced',
        }),
      ).toBe(5);
    });

    it('caches "no photo" too, so a name without results does not spend the quota', async () => {
      unsplash.behave(json({ total: 0, results: [] }));
      await startBirdImage();
      await imageFor('?birdName=Dodo');
      await imageFor('?birdName=Dodo');
      expect(unsplash.requests).toHaveLength(1);
    });

    it('does not cache a failure: the next request tries again', async () => {
      unsplash.behave(json({}, { status: 500 }));
      await startBirdImage();
      expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe(MISSINGNO_IMAGE_URL);
      unsplash.behave(unsplashSearch());
      expect(JSON.parse((await imageFor('?birdName=Kea')).body)).toBe(thumbnailFor('kea'));
    });
  });

  describe('bad input', () => {
    it.each([
      ['a name over 100 characters', `?birdName=${'a'.repeat(101)}`, /at most 100 characters/],
      ['a control character', '?birdName=Kea%0Ainjected', /control characters/],
      ['a NUL byte', '?birdName=Kea%00', /control characters/],
      ['a repeated birdName', '?birdName=Kea&birdName=Kiwi', /at most once/],
    ])('refuses %s with a JSON 400', async (_case, query, message) => {
      await startBirdImage();
      const answer = await imageFor(query);
      expect(answer.status).toBe(400);
      expect(answer.type).toMatch(/^application\/json/);
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(message);
      expect(unsplash.requests).toHaveLength(0);
    });

    it('accepts a name of exactly 100 characters', async () => {
      await startBirdImage();
      expect((await imageFor(`?birdName=${'a'.repeat(100)}`)).status).toBe(200);
    });

    it.each([
      ['a cut-off UTF-8 sequence', '?birdName=%E0%A4%A'],
      ['a percent sign without hex digits', '?birdName=%zz'],
      ['bytes that are not UTF-8', '?birdName=%FF%FE'],
      ['a bare percent sign', '?birdName=50%'],
      ['a malformed other parameter', '?birdName=Kea&x=%C0%AF'],
    ])('refuses %s with a JSON 400, without calling Unsplash', async (_case, query) => {
      await startBirdImage();
      const answer = await imageFor(query);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: 'the query must be valid percent-encoded UTF-8',
      });
      expect(unsplash.requests).toHaveLength(0);
      expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    });

    it('counts characters, not UTF-16 units: 100 emoji pass, 101 do not', async () => {
      await startBirdImage();
      const bird = encodeURIComponent('\u{1F426}');
      expect((await imageFor(`?birdName=${bird.repeat(60)}`)).status).toBe(200);
      expect((await imageFor(`?birdName=${bird.repeat(100)}`)).status).toBe(200);
      expect((await imageFor(`?birdName=${bird.repeat(101)}`)).status).toBe(400);
    });

    it('accepts well-encoded names with + for spaces and non-ASCII letters', async () => {
      await startBirdImage();
      const answer = await imageFor('?birdName=Gr%C3%BCnfink+Vogel');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toBe(thumbnailFor('grünfink vogel'));
    });

    it('answers 404 and 405 as JSON', async () => {
      await startBirdImage();
      expect((await fetch(`${served.url}/birds`)).status).toBe(404);
      const post = await fetch(`${served.url}/?birdName=Kea`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(await post.json()).toEqual({ error: 'method not allowed' });
    });
  });
});
