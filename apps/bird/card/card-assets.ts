import { createHash } from 'node:crypto';

/**
 * The card's stylesheet. Inline, so the page needs nothing but its image; allowed by its hash in
 * the Content-Security-Policy, which therefore refuses any other style, injected or not.
 */
export const CARD_STYLE = `
:root { color-scheme: light dark; --bg: #f3f1ec; --card: #ffffff; --text: #1d2329;
  --muted: #5b6670; --accent: #1f6f8b; --shadow: 0 1px 2px rgb(0 0 0 / 8%), 0 8px 24px rgb(0 0 0 / 8%); }
@media (prefers-color-scheme: dark) {
  :root { --bg: #12161a; --card: #1c2228; --text: #e8ecef; --muted: #9aa7b2; --accent: #7cc4dd;
    --shadow: 0 1px 2px rgb(0 0 0 / 40%), 0 8px 24px rgb(0 0 0 / 30%); }
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1rem;
  background: var(--bg); color: var(--text);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
/* minmax(0, …): no column grows past the card, whatever its content asks for (a broken image
   is laid out at its width attribute, 400 px, wider than a phone's card). */
main { width: 100%; max-width: 56rem; background: var(--card); border-radius: 1rem;
  box-shadow: var(--shadow); overflow: hidden; display: grid; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 44rem) { main { grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr); } }
figure { margin: 0; display: flex; flex-direction: column; background: #dde3e8; }
img { display: block; width: 100%; aspect-ratio: 4 / 3; object-fit: cover; flex: 1 1 auto; }
figcaption { padding: 0.5rem 1rem; font-size: 0.8rem; color: var(--muted); background: var(--card); }
figcaption .unavailable, .no-photo figcaption .credit { display: none; }
.no-photo figcaption .unavailable { display: inline; }
.text { padding: 1.5rem 1.75rem 1.75rem; display: flex; flex-direction: column; gap: 0.75rem; }
h1 { margin: 0; font-size: clamp(1.6rem, 4vw, 2.3rem); line-height: 1.15; overflow-wrap: anywhere; }
p { margin: 0; overflow-wrap: anywhere; }
.description { font-size: 1.05rem; }
nav { margin-top: auto; padding-top: 0.75rem; font-size: 0.9rem; color: var(--muted); }
a { color: var(--accent); }
`;

/**
 * The card's only script: when the photo fails to load, it shows the placeholder bird serves
 * itself instead, and says so. It runs in <head> and listens on the document in the capture
 * phase (load errors do not bubble), so it sees the error however early or late it happens;
 * inline `onerror` handlers are exactly what the Content-Security-Policy forbids.
 */
export const CARD_SCRIPT = `
document.addEventListener('error', (event) => {
  const img = event.target;
  if (!(img instanceof HTMLImageElement) || !img.dataset.placeholder) return;
  const placeholder = img.dataset.placeholder;
  delete img.dataset.placeholder;
  img.closest('figure')?.classList.add('no-photo');
  img.alt = '';
  img.src = placeholder;
}, true);
`;

function sha256(source: string): string {
  return `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
}

/**
 * The card's Content-Security-Policy: nothing loads but images (over http(s), or from bird
 * itself), the stylesheet and the script above (by hash); no frames, forms, plugins or `<base>`.
 */
export const CARD_CSP = [
  "default-src 'none'",
  "img-src 'self' https: http:",
  `style-src ${sha256(CARD_STYLE)}`,
  `script-src ${sha256(CARD_SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
