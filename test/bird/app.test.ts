import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { DISGUISED_BIRD, type Bird } from '../../apps/bird/app.js';
import catalog from '../../apps/bird/facts/catalog.json' with { type: 'json' };
import { birdService } from '../../apps/bird/service.js';
import { MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import type { ServedApp } from '../../apps/shared/service.js';
import { upstreamDeadline } from '../../apps/shared/upstream/deadline.js';
import { serveService } from '../support/serve-service.js';
import { serveBirdImage, stubUpstream } from '../support/stand-ins.js';
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
  raw,
  refusingUrl,
  thumbnailFor,
  unsplashSearch,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';

const TIMEOUT_MS = 300;
let bird: ServedApp;
let logs: CapturedLogger;

async function startBird(env: Record<string, string>) {
  logs = captureLogs();
  bird = await serveService(birdService, {
    env: { UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), ...env },
    logger: logs.logger,
  });
}

async function getBird(headers: Record<string, string> = {}) {
  const response = await fetch(`${bird.url}/`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as Bird;
}

describe('bird GET / on the embedded catalog', () => {
  it('answers a catalog bird whose image came through birdImage', async () => {
    const { birdImage } = await serveBirdImage(unsplashSearch());
    // Two hops (bird → birdImage → Unsplash): give them the default deadline, not the short one.
    await startBird({ BIRD_IMAGE_URL: birdImage.url, UPSTREAM_TIMEOUT_MS: '2000' });

    const answer = await getBird();
    expect(Object.keys(answer).sort()).toEqual(['description', 'image', 'name']);
    expect(catalog).toContainEqual({ name: answer.name, description: answer.description });
    // birdImage searches the name in lower case.
    expect(answer.image).toBe(thumbnailFor(answer.name.toLowerCase()));
  });

  it('passes the request id on to birdImage', async () => {
    const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
    await startBird({ BIRD_IMAGE_URL: birdImage.url });
    const response = await fetch(`${bird.url}/`, { headers: { 'x-request-id': 'trace-me-42' } });
    expect(response.headers.get('x-request-id')).toBe('trace-me-42');
    expect(birdImage.requests[0]!.headers['x-request-id']).toBe('trace-me-42');
    const url = new URL(birdImage.requests[0]!.url, 'http://stub');
    expect(url.pathname).toBe('/');
    expect(catalog.map((entry) => entry.name)).toContain(url.searchParams.get('birdName'));
  });

  it('reuses birdImage answers per name for a while', async () => {
    const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
    // Not a test of deadlines: on a busy machine a call past the short one falls back, and a
    // fallback is rightly not cached, so the name would be asked for again.
    await startBird({ BIRD_IMAGE_URL: birdImage.url, UPSTREAM_TIMEOUT_MS: '2000' });
    const names = new Set<string>();
    for (let i = 0; i < 40; i++) names.add((await getBird()).name);
    expect(birdImage.requests).toHaveLength(names.size);
  });

  describe('keeps the fact and answers the default image when birdImage', () => {
    it.each([
      ['refuses connections', null],
      ['answers 500', json({ error: 'internal error' }, { status: 500 })],
      ['answers a URL that is not JSON', raw('https://images.example/a.jpg\n')],
      ['answers a JSON object instead of a string', json({ url: 'https://images.example/a.jpg' })],
      ['answers a string that is not a URL', json('not a url')],
      ['hangs past the deadline', hang()],
    ])('%s', async (_case, behaviour) => {
      const birdImageUrl =
        behaviour === null ? await refusingUrl() : (await stubUpstream(behaviour)).url;
      await startBird({
        BIRD_IMAGE_URL: birdImageUrl,
        DEFAULT_IMAGE_URL: 'https://cdn.example/d.png',
      });
      const started = Date.now();
      const answer = await getBird();
      expect(Date.now() - started).toBeLessThan(dueWithin(TIMEOUT_MS));
      expect(catalog).toContainEqual({ name: answer.name, description: answer.description });
      expect(answer.image).toBe('https://cdn.example/d.png');
      expect(await upstreamCalls(bird.url, 'image', 'fallback')).toBe(1);
    });
  });
});

describe('bird GET / on a remote facts source', () => {
  const collection = [
    { id: 1, name: 'Kea', description: 'An alpine parrot.', extra: { ignored: true } },
    { id: 2, name: '', description: 'No name: skipped.' },
    { id: 3, description: 'No name either.' },
    { id: 4, name: 42, description: 'A number is no name.' },
    { id: 5, name: 'Kakapo' },
  ];

  async function startWithFacts(facts: StubUpstream) {
    const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
    await startBird({ BIRD_FACTS_URL: `${facts.url}/birds`, BIRD_IMAGE_URL: birdImage.url });
    return birdImage;
  }

  it('answers usable birds of the collection, skipping items without a name', async () => {
    const facts = await stubUpstream(json(collection));
    await startWithFacts(facts);
    const seen = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const answer = await getBird();
      seen.set(answer.name, answer.description);
      expect(answer.image).toBe('https://images.example/a.jpg');
    }
    expect(seen).toEqual(
      new Map([
        ['Kea', 'An alpine parrot.'],
        ['Kakapo', ''],
      ]),
    );
    expect(facts.requests.map((request) => request.url)).toEqual(['/birds']);
  });

  it('fetches the collection once for concurrent first requests', async () => {
    const facts = await stubUpstream(json(collection, { delayMs: 100 }));
    await startWithFacts(facts);
    await Promise.all(Array.from({ length: 5 }, () => getBird()));
    expect(facts.requests).toHaveLength(1);
    expect(
      await scrapeSample(bird.url, 'cache_lookups_total', { cache: 'facts', result: 'coalesced' }),
    ).toBe(4);
  });

  describe('answers the disguised bird when nothing usable is cached and the source', () => {
    it.each([
      ['refuses connections', null],
      ['answers 500', json({ error: 'boom' }, { status: 500 })],
      ['answers malformed JSON', raw('[{"name": "Kea"')],
      ['answers something other than an array', json({ birds: collection })],
      ['answers no usable bird', json([{ name: '' }, { id: 3 }])],
      ['hangs past the deadline', hang()],
    ])('%s', async (_case, behaviour) => {
      const factsUrl =
        behaviour === null ? await refusingUrl() : (await stubUpstream(behaviour)).url;
      const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
      await startBird({ BIRD_FACTS_URL: factsUrl, BIRD_IMAGE_URL: birdImage.url });
      const answer = await getBird();
      expect(answer).toEqual({ ...DISGUISED_BIRD, image: MISSINGNO_IMAGE_URL });
      expect(answer.description).not.toMatch(/127\.0\.0\.1|Error|at .*\.ts/);
      expect(birdImage.requests).toHaveLength(0);
      expect(await upstreamCalls(bird.url, 'facts', 'fallback')).toBe(1);
    });
  });

  it('logs the real cause of a facts failure', async () => {
    const facts = await stubUpstream(json({ birds: collection }));
    const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
    await startBird({ BIRD_FACTS_URL: facts.url, BIRD_IMAGE_URL: birdImage.url });
    await getBird();
    expect(logs.lines().find((line) => line.upstream === 'facts')).toMatchObject({
      level: 'warn',
      outcome: 'error',
      reason: 'birds collection is not an array',
    });
  });

  it('cuts a huge description and strips control characters from what it serves', async () => {
    const facts = await stubUpstream(
      json([
        {
          name: 'Kea\u001b[31m\u0000\r\n  alpine\u0085parrot',
          description: `Clever.\u0007 ${'word '.repeat(200_000)}`,
        },
      ]),
    );
    const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
    // A megabyte to read and parse: the default deadline, not the short one.
    await startBird({
      BIRD_FACTS_URL: facts.url,
      BIRD_IMAGE_URL: birdImage.url,
      UPSTREAM_TIMEOUT_MS: '2000',
    });
    const response = await fetch(`${bird.url}/`);
    const text = await response.text();
    expect(text.length).toBeLessThan(2_000);
    const answer = JSON.parse(text) as Bird;
    expect(answer.name).toBe('Kea [31m alpine parrot');
    expect(Array.from(answer.description).length).toBeLessThanOrEqual(1_000);
    expect(answer.description).toMatch(/^Clever\. word word .*word…$/);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]|\\u00[01]/);
  });

  it('skips an item whose name is over 100 characters, counting characters, not UTF-16 units', async () => {
    const emoji = '\u{1F426}';
    const facts = await stubUpstream(
      json([{ name: emoji.repeat(60) }, { name: emoji.repeat(101) }]),
    );
    const birdImage = await stubUpstream(json('https://images.example/a.jpg'));
    await startBird({ BIRD_FACTS_URL: facts.url, BIRD_IMAGE_URL: birdImage.url });
    for (let i = 0; i < 5; i++) expect((await getBird()).name).toBe(emoji.repeat(60));
  });

  it('answers within UPSTREAM_TIMEOUT_MS when a slow facts source leaves too little for the image', async () => {
    // Every figure comes from the budget: the calls share what upstreamDeadline leaves of it,
    // the facts take half of that and birdImage hangs. Each call with a deadline of its own
    // would answer after the facts' delay plus a whole budget; sharing the request's, the image
    // call ends with the calls' share and the answer comes within the budget. A budget of a
    // second leaves a loaded machine the kept-back quarter (250 ms) to connect and answer, and
    // the facts call as long again as it takes, so it never falls back itself.
    const budgetMs = 1_000;
    const callsShareMs = upstreamDeadline(0, budgetMs);
    const facts = await stubUpstream(json(collection, { delayMs: callsShareMs / 2 }));
    const birdImage = await stubUpstream(hang());
    await startBird({
      UPSTREAM_TIMEOUT_MS: String(budgetMs),
      BIRD_FACTS_URL: facts.url,
      BIRD_IMAGE_URL: birdImage.url,
    });
    const started = performance.now();
    const answer = await getBird();
    expect(performance.now() - started).toBeLessThan(budgetMs);
    expect(answer.name).toMatch(/Kea|Kakapo/);
    expect(answer.image).toBe(MISSINGNO_IMAGE_URL);
    expect(birdImage.requests).toHaveLength(1);
    expect(await upstreamCalls(bird.url, 'image', 'timeout')).toBe(1);
  });

  it('answers /healthz without asking the facts source', async () => {
    const facts = await stubUpstream(json({}, { status: 500 }));
    await startWithFacts(facts);
    expect((await fetch(`${bird.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bird.url}/readyz`)).status).toBe(200);
    expect(facts.requests).toHaveLength(0);
  });
});

describe('bird bad input', () => {
  it('answers 404 and 405 as JSON, and logs each request', async () => {
    await startBird({ BIRD_IMAGE_URL: await refusingUrl() });
    const missing = await fetch(`${bird.url}/birds/1`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found' });
    const put = await fetch(`${bird.url}/`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('GET');
    const requests = logs.lines().filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.status)).toEqual([404, 405]);
  });
});
