import { httpUrl } from '../../shared/valid-url.js';
import type { Photo } from '../../shared/photo.js';
import { CARD_SCRIPT, CARD_STYLE } from './card-assets.js';
import { html, trustedHtml, type SafeHtml } from './html.js';
import { PLACEHOLDER_PATH } from './placeholder.js';

/** What a bird card shows. */
export interface BirdCard {
  readonly name: string;
  readonly description: string;
  readonly photo: Photo;
  /** True when the photo is the default image, not a photo of this bird. */
  readonly isDefaultImage: boolean;
}

// The templates below are kept out of Prettier (`prettier-ignore`): it would reformat them as
// HTML, changing the text a person reads and the bytes the Content-Security-Policy hashes.

/**
 * The bird card: one self-contained HTML document (photo, name, description, photo credit)
 * for a browser. Every value goes through the escaping template, so a facts source that sends
 * markup gets it shown as text; it must be served with `CARD_CSP`, which allows its style and
 * script by hash.
 */
export function renderBirdCard(card: BirdCard): SafeHtml {
  const { name, description } = card;
  // prettier-ignore
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${name} · Aviary</title>
<link rel="icon" href="${PLACEHOLDER_PATH}" type="image/svg+xml">
<style>${trustedHtml(CARD_STYLE)}</style>
<script>${trustedHtml(CARD_SCRIPT)}</script>
</head>
<body>
<main>
${figure(card)}
<div class="text">
<h1>${name}</h1>
<p class="description">${description}</p>
<nav><a href="/">Another bird</a></nav>
</div>
</main>
</body>
</html>
`;
}

function figure({ name, photo, isDefaultImage }: BirdCard): SafeHtml {
  // Only http(s) images; anything else (a javascript: or data: URL) shows the placeholder.
  const src = httpUrl(photo.url) ?? PLACEHOLDER_PATH;
  const alt = isDefaultImage ? `No photo of ${name} yet` : (photo.alt ?? `Photo of ${name}`);
  // prettier-ignore
  return html`<figure>
<img src="${src}" alt="${alt}" data-placeholder="${PLACEHOLDER_PATH}" width="400" height="300" referrerpolicy="no-referrer">
<figcaption>${caption(photo, isDefaultImage)}<span class="unavailable">The photo could not be loaded.</span></figcaption>
</figure>`;
}

function caption({ credit }: Photo, isDefaultImage: boolean): SafeHtml {
  if (isDefaultImage) {
    // prettier-ignore
    return html`<span class="credit">A stand-in image: no photo of this bird was found (birdImage searches Unsplash once it has a key).</span>`;
  }
  if (credit === undefined) return html``;
  // prettier-ignore
  return html`<span class="credit">Photo by <a href="${credit.url}">${credit.name}</a> on <a href="${credit.sourceUrl}">${credit.source}</a></span>`;
}
