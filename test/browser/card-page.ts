/// <reference lib="dom" />
import type { ConsoleMessage, Page } from 'playwright-core';

/** What a person sees on a bird card, read from the rendered page. */
export interface SeenCard {
  readonly title: string;
  readonly name: string;
  readonly description: string;
  /** The image as displayed: where it finally came from, and whether it decoded. */
  readonly image: { readonly src: string; readonly alt: string; readonly loaded: boolean };
  /** The caption's visible text (the credit, or why there is none). */
  readonly caption: string;
  readonly links: readonly { readonly text: string; readonly href: string }[];
  /** Elements a facts source could have injected, if escaping failed. */
  readonly injected: number;
}

/** Reads the card as it is rendered, visible text only (hidden spans are not "seen"). */
export function readCard(page: Page): Promise<SeenCard> {
  return page.evaluate(() => {
    const img = document.querySelector<HTMLImageElement>('main img')!;
    const text = (selector: string) =>
      document.querySelector<HTMLElement>(selector)?.innerText ?? '';
    return {
      title: document.title,
      name: text('h1'),
      description: text('.description'),
      image: { src: img.currentSrc, alt: img.alt, loaded: img.complete && img.naturalWidth > 0 },
      caption: text('figcaption'),
      links: Array.from(document.querySelectorAll('a'), (a) => ({
        text: a.innerText,
        href: a.getAttribute('href') ?? '',
      })),
      injected: document.querySelectorAll('h1 *, .description *, script[src], body script, iframe')
        .length,
    };
  });
}

/** Everything a page did that a test wants to see: requests, console errors, dialogs. */
export interface PageRecord {
  readonly requests: string[];
  readonly consoleErrors: ConsoleMessage[];
  readonly pageErrors: Error[];
  readonly dialogs: string[];
}

/** Starts recording `page`'s requests, console errors, uncaught errors and dialogs. */
export function recordPage(page: Page): PageRecord {
  const record: PageRecord = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  page.on('request', (request) => record.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') record.consoleErrors.push(message);
  });
  page.on('pageerror', (error) => record.pageErrors.push(error));
  page.on('dialog', (dialog) => {
    record.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return record;
}

/** Waits until the card's image has loaded or been swapped for the placeholder and loaded. */
export async function waitForImage(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('main img');
    return img !== null && img.complete && img.naturalWidth > 0;
  });
}
