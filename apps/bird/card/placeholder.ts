import type { ServiceRouter } from '../../shared/http/create-service-app.js';

/** Where bird serves the image a card shows when its photo cannot load. */
export const PLACEHOLDER_PATH = '/placeholder.svg';

// A bird drawn in flat shapes, with presentation attributes only (no style, no script), in
// greys that read on a light page and on a dark one.
const PLACEHOLDER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">
<rect width="400" height="300" fill="#dde3e8"/>
<polygon points="140,165 68,128 84,196" fill="#8795a2"/>
<ellipse cx="200" cy="172" rx="82" ry="56" fill="#97a5b2"/>
<ellipse cx="192" cy="160" rx="52" ry="28" fill="#7f8d9a" transform="rotate(-14 192 160)"/>
<circle cx="266" cy="120" r="35" fill="#97a5b2"/>
<polygon points="296,110 334,123 296,134" fill="#b08a4a"/>
<circle cx="274" cy="112" r="5" fill="#2f3a44"/>
<path d="M188 226 L182 258 M216 226 L222 258" stroke="#6f7c88" stroke-width="6" stroke-linecap="round"/>
</svg>
`;

/**
 * Adds `GET /placeholder.svg`: the stand-in a card swaps in when its photo fails to load (no
 * network, a dead link). Served by bird itself, so it loads wherever the card does.
 */
export function addPlaceholderRoute(router: ServiceRouter): void {
  router.get(PLACEHOLDER_PATH, (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=86400');
    // Opened on its own, the image can load and run nothing.
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.body = PLACEHOLDER_SVG;
  });
}
