import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MISSINGNO_IMAGE_URL } from '../../apps/shared/config.js';
import { spawnService } from '../support/process.js';
import {
  json,
  startStubUpstream,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';
import { readCard, recordPage, waitForImage, type PageRecord } from './card-page.js';
import { launchChromium } from './chromium.js';
import { unsplashAnswer } from '../support/unsplash-answer.js';
import { HOSTILE_FACT, startImageHost, type ImageHost } from './stand-ins.js';

// `UPDATE_SCREENSHOTS=1 npm run test:browser` rewrites the README's screenshots; otherwise they
// go to a temporary folder that is removed afterwards, and the tree stays clean.
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/images' : undefined;

const DESKTOP: BrowserContextOptions = { viewport: { width: 1000, height: 560 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let browser: Browser;
let imageHost: ImageHost;
let scratch: string;
const stubs: StubUpstream[] = [];

beforeAll(async () => {
  imageHost = await startImageHost();
  browser = await launchChromium([`--host-resolver-rules=${imageHost.resolverRule}`]);
  scratch = await mkdtemp(join(tmpdir(), 'aviary-card-'));
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});
afterAll(async () => {
  await browser?.close();
  await imageHost?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function stub(...args: Parameters<typeof startStubUpstream>) {
  const upstream = await startStubUpstream(...args);
  stubs.push(upstream);
  return upstream;
}

/**
 * Runs both services from their real entry points, as `npm start` does, birdImage in front of
 * a stand-in Unsplash, bird on a stand-in facts source when one is given. Returns bird's URL.
 */
async function startServices(unsplash: StubUpstream, factsUrl?: string): Promise<string> {
  const birdImage = spawnService('bird-image', {
    PORT: '0',
    HOST: '127.0.0.1',
    UNSPLASH_ACCESS_KEY: 'test-key',
    UNSPLASH_API_URL: unsplash.url,
  });
  const birdImagePort = await birdImage.waitForPort();
  const bird = spawnService('bird', {
    PORT: '0',
    HOST: '127.0.0.1',
    BIRD_IMAGE_URL: `http://127.0.0.1:${birdImagePort}`,
    ...(factsUrl === undefined ? {} : { BIRD_FACTS_URL: factsUrl }),
  });
  return `http://127.0.0.1:${await bird.waitForPort()}`;
}

/** Opens bird's page in a fresh browser context, recording what it does. */
async function openCard(birdUrl: string, options: BrowserContextOptions = DESKTOP) {
  // The stand-in image host's certificate is self-signed (see startImageHost).
  const context = await browser.newContext({ ...options, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const record = recordPage(page);
  const response = await page.goto(`${birdUrl}/`);
  await waitForImage(page);
  return { page, record, response: response!, close: () => context.close() };
}

async function screenshot(page: Page, name: string): Promise<void> {
  const folder = SCREENSHOT_DIR ?? scratch;
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await page.screenshot({ path });
  // A PNG, and not a blank one: a few kilobytes at least.
  const png = await readFile(path);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.length).toBeGreaterThan(5_000);
}

/** Everything but the document itself, the photo and bird's own placeholder. */
function unexpectedRequests(record: PageRecord, birdUrl: string, imageUrl: string) {
  const allowed = new Set([`${birdUrl}/`, imageUrl, `${birdUrl}/placeholder.svg`]);
  return record.requests.filter((url) => !allowed.has(url));
}

describe('the bird card in headless Chromium', () => {
  it('shows the photo, name, description and the photographer credit', async () => {
    const unsplash = await stub(unsplashAnswer(imageHost.photoUrl));
    const birdUrl = await startServices(unsplash);
    const { page, record, response, close } = await openCard(birdUrl);

    expect(response.headers()['content-type']).toMatch(/^text\/html/);
    const card = await readCard(page);
    const catalogAnswer = (await (
      await fetch(`${birdUrl}/`, { headers: { accept: 'application/json' } })
    ).json()) as { image: string };
    expect(card.name).not.toBe('');
    expect(card.title).toBe(`${card.name} · Aviary`);
    expect(card.description.length).toBeGreaterThan(40);
    expect(card.image).toEqual({
      src: imageHost.photoUrl,
      alt: 'A puffin on a cliff top',
      loaded: true,
    });
    expect(catalogAnswer.image).toBe(imageHost.photoUrl);
    expect(card.caption).toBe('Photo by Ada Lovelace on Unsplash');
    expect(card.links).toContainEqual({
      text: 'Ada Lovelace',
      href: 'https://unsplash.com/@ada?utm_source=aviary&utm_medium=referral',
    });
    expect(card.links).toContainEqual({
      text: 'Unsplash',
      href: 'https://unsplash.com/?utm_source=aviary&utm_medium=referral',
    });
    expect(unexpectedRequests(record, birdUrl, imageHost.photoUrl)).toEqual([]);
    expect(imageHost.requests).toContain('/photo.svg');
    expect(record.consoleErrors.map((m) => m.text())).toEqual([]);
    expect(record.pageErrors).toEqual([]);
    await close();
  });

  it('swaps in the placeholder bird serves itself when the photo cannot load', async () => {
    const unsplash = await stub(unsplashAnswer(imageHost.missingUrl));
    const birdUrl = await startServices(unsplash);
    const { page, record, close } = await openCard(birdUrl);

    const card = await readCard(page);
    expect(card.image).toEqual({ src: `${birdUrl}/placeholder.svg`, alt: '', loaded: true });
    expect(card.caption).toBe('The photo could not be loaded.');
    expect(unexpectedRequests(record, birdUrl, imageHost.missingUrl)).toEqual([]);
    // The failed photo is the only error Chromium reports, and nothing else broke.
    expect(record.consoleErrors.map((m) => m.location().url)).toEqual([imageHost.missingUrl]);
    expect(record.pageErrors).toEqual([]);
    await close();
  });

  it('says the default image is a stand-in, and never credits it', async () => {
    const unsplash = await stub(json({ total: 0, results: [] }));
    const birdUrl = await startServices(unsplash);
    const { page, record, close } = await openCard(birdUrl);

    const card = await readCard(page);
    // Offline, the default image fails like any other and the placeholder shows instead.
    expect([MISSINGNO_IMAGE_URL, `${birdUrl}/placeholder.svg`]).toContain(card.image.src);
    expect(card.caption).toMatch(/^(A stand-in image|The photo could not be loaded)/);
    expect(card.caption).not.toContain('Photo by');
    expect(unexpectedRequests(record, birdUrl, MISSINGNO_IMAGE_URL)).toEqual([]);
    expect(record.pageErrors).toEqual([]);
    await close();
  });

  it('renders hostile facts and credits as text, and runs none of them', async () => {
    const facts = await stub(json([HOSTILE_FACT]));
    const unsplash = await stub(
      unsplashAnswer(imageHost.photoUrl, {
        alt: '" onload="alert(3)" x="',
        userName: '<img src=/x onerror=alert(4)>Mallory',
      }),
    );
    const birdUrl = await startServices(unsplash, facts.url);
    const { page, record, close } = await openCard(birdUrl);

    const card = await readCard(page);
    expect(card.name).toBe(HOSTILE_FACT.name);
    expect(card.description).toBe(HOSTILE_FACT.description);
    expect(card.title).toBe(`${HOSTILE_FACT.name} · Aviary`);
    expect(card.image.alt).toBe('" onload="alert(3)" x="');
    expect(card.injected).toBe(0);
    expect(card.caption).toBe('Photo by <img src=/x onerror=alert(4)>Mallory on Unsplash');
    expect(card.links.filter((link) => !/^(\/|https:\/\/)/.test(link.href))).toEqual([]);
    // Hovering and clicking what looks like a link in the text does nothing either.
    await page.getByText('click me', { exact: false }).click();
    expect(record.dialogs).toEqual([]);
    expect(await page.evaluate(() => 'pwned' in globalThis)).toBe(false);
    expect(unexpectedRequests(record, birdUrl, imageHost.photoUrl)).toEqual([]);
    expect(record.consoleErrors.map((m) => m.text())).toEqual([]);
    await close();
  });

  it('blocks markup that got into the page anyway: the Content-Security-Policy holds', async () => {
    const unsplash = await stub(unsplashAnswer(imageHost.photoUrl));
    const birdUrl = await startServices(unsplash);
    const { page, record, response, close } = await openCard(birdUrl);

    // Scripts run through the debugging protocol are exempt from CSP; markup they add is not.
    await page.evaluate((host) => {
      document.body.insertAdjacentHTML(
        'beforeend',
        `<img src="/nope" onerror="globalThis.pwned = 1">` +
          `<script>globalThis.pwned = 2</script>` +
          `<link rel="stylesheet" href="${host}/evil.css">`,
      );
    }, imageHost.url);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => 'pwned' in globalThis)).toBe(false);
    // Chromium reports the stylesheet as a request it blocked; it never reached the host.
    expect(imageHost.requests).not.toContain('/evil.css');
    // …and Chromium says why: the policy refused them.
    const refusals = record.consoleErrors.filter((m) =>
      m.text().includes('Content Security Policy'),
    );
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(response.headers()['content-security-policy']).toContain("default-src 'none'");
    await close();
  });

  it('keeps the text inside a phone card when the photo fails with JavaScript off', async () => {
    // Without the script, nothing swaps in the placeholder: the browser lays out a broken image,
    // as it does when the photo fails before the script has run.
    const unsplash = await stub(unsplashAnswer(imageHost.missingUrl));
    const birdUrl = await startServices(unsplash);
    const context = await browser.newContext({
      ...PHONE,
      javaScriptEnabled: false,
      ignoreHTTPSErrors: true,
    });
    const page = await context.newPage();
    await page.goto(`${birdUrl}/`);
    const layout = await page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      const description = document.querySelector('.description')!;
      const img = document.querySelector<HTMLImageElement>('main img')!;
      return {
        card: box('main'),
        text: box('.text'),
        image: box('main img'),
        description: box('.description'),
        clipped: description.scrollWidth > description.clientWidth,
        overflows: document.documentElement.scrollWidth > window.innerWidth,
        broken: img.complete && img.naturalWidth === 0,
      };
    });
    await context.close();
    expect(layout.broken).toBe(true);
    expect(layout.overflows).toBe(false);
    expect(layout.clipped).toBe(false);
    for (const part of [layout.text, layout.image, layout.description]) {
      expect(part.width).toBeLessThanOrEqual(layout.card.width);
      expect(part.right).toBeLessThanOrEqual(layout.card.right);
    }
  });

  it.each([
    ['a desktop, light', DESKTOP, 'light', 'bird-card.png'],
    ['a phone, dark', PHONE, 'dark', 'bird-card-phone-dark.png'],
  ] as const)('fits %s', async (_case, device, colorScheme, file) => {
    const unsplash = await stub(unsplashAnswer(imageHost.photoUrl));
    const birdUrl = await startServices(unsplash);
    const { page, close } = await openCard(birdUrl, { ...device, colorScheme });

    const layout = await page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      return {
        overflows: document.documentElement.scrollWidth > window.innerWidth,
        imageRight: box('main img').right,
        nameLeft: box('h1').left,
        background: getComputedStyle(document.body).backgroundColor,
      };
    });
    expect(layout.overflows).toBe(false);
    // Side by side on a desktop, stacked on a phone.
    if (device === DESKTOP) expect(layout.nameLeft).toBeGreaterThanOrEqual(layout.imageRight);
    else expect(layout.nameLeft).toBeLessThan(layout.imageRight);
    const [r, g, b] = layout.background.match(/\d+/g)!.map(Number) as [number, number, number];
    expect((r + g + b) / 3).toSatisfy((mean: number) =>
      colorScheme === 'dark' ? mean < 60 : mean > 200,
    );
    await screenshot(page, file);
    await close();
  });
});

describe('the same URL for anything but a browser', () => {
  it('answers the JSON bird, as before, with headers every client expects', async () => {
    const unsplash = await stub(unsplashAnswer(imageHost.photoUrl));
    const birdUrl = await startServices(unsplash);
    for (const accept of [undefined, '*/*', 'application/json']) {
      const response = await fetch(`${birdUrl}/`, {
        headers: accept === undefined ? {} : { accept },
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('vary')).toMatch(/accept/i);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['description', 'image', 'name']);
      expect(body.image).toBe(imageHost.photoUrl);
    }
  });
});
