import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CARD_CSP } from '../../apps/bird/card/card-assets.js';
import { escapeHtml, html, SafeHtml } from '../../apps/bird/card/html.js';
import { PLACEHOLDER_PATH } from '../../apps/bird/card/placeholder.js';
import { renderBirdCard, type BirdCard } from '../../apps/bird/card/render-card.js';

const HOSTILE = `<script>alert("x")</script> & 'quoted' \`tick\``;
const CARD: BirdCard = {
  name: 'Kea',
  description: 'A parrot of the Southern Alps.',
  photo: { url: 'https://images.example/kea.jpg' },
  isDefaultImage: false,
};

describe('the html template', () => {
  it('escapes every character that means something in text or a quoted attribute', () => {
    expect(escapeHtml(HOSTILE)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &#96;tick&#96;',
    );
  });

  it('escapes interpolated strings and numbers, keeps its own markup, joins lists', () => {
    const item = (text: string) => html`<li>${text}</li>`;
    // prettier-ignore
    const list = html`<ul title="${HOSTILE}">${['<a>', '<b>'].map(item)}${null}${undefined}${3}</ul>`;
    expect(list).toBeInstanceOf(SafeHtml);
    expect(list.toString()).toBe(
      `<ul title="${escapeHtml(HOSTILE)}"><li>&lt;a&gt;</li><li>&lt;b&gt;</li>3</ul>`,
    );
  });

  it('escapes a string that only looks like markup it built', () => {
    const forged = { toString: () => '<b>forged</b>' } as unknown as string;
    expect(html`${forged}`.toString()).toBe('&lt;b&gt;forged&lt;/b&gt;');
  });
});

describe('renderBirdCard', () => {
  it('escapes the name, description, alt text and credit', () => {
    const page = renderBirdCard({
      name: HOSTILE,
      description: HOSTILE,
      photo: {
        url: 'https://images.example/a.jpg?x=1&y="2"',
        alt: HOSTILE,
        credit: {
          name: HOSTILE,
          url: 'https://unsplash.com/@a?b=1&c=2',
          source: HOSTILE,
          sourceUrl: 'https://unsplash.com/',
        },
      },
      isDefaultImage: false,
    }).toString();
    expect(page).not.toContain('<script>alert');
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page).toContain(`<h1>${escapeHtml(HOSTILE)}</h1>`);
    // The URL as the URL standard serializes it (the quotes percent-encoded), then escaped.
    expect(page).toContain('src="https://images.example/a.jpg?x=1&amp;y=%222%22"');
    expect(page).toContain('href="https://unsplash.com/@a?b=1&amp;c=2"');
  });

  it.each([
    'javascript:alert(1)',
    'data:image/svg+xml,<svg/>',
    '//evil.example/a.png',
    ' https://a.example/b.png',
  ])('shows the placeholder for an image URL that is not http(s): %s', (url) => {
    const page = renderBirdCard({ ...CARD, photo: { url } }).toString();
    expect(page).toContain(`<img src="${PLACEHOLDER_PATH}"`);
    expect(page).not.toContain('javascript:');
  });

  it('credits the photographer only when there is a credit, and never the default image', () => {
    const credit = {
      name: 'Ada',
      url: 'https://unsplash.com/@ada',
      source: 'Unsplash',
      sourceUrl: 'https://unsplash.com/',
    };
    expect(renderBirdCard({ ...CARD, photo: { ...CARD.photo, credit } }).toString()).toContain(
      'Photo by <a href="https://unsplash.com/@ada">Ada</a> on <a href="https://unsplash.com/">Unsplash</a>',
    );
    expect(renderBirdCard(CARD).toString()).not.toContain('Photo by');
    const stand_in = renderBirdCard({
      ...CARD,
      photo: { ...CARD.photo, credit },
      isDefaultImage: true,
    });
    expect(stand_in.toString()).not.toContain('Photo by');
    expect(stand_in.toString()).toContain('alt="No photo of Kea yet"');
  });

  it('holds exactly the style and script its Content-Security-Policy allows by hash', () => {
    const page = renderBirdCard(CARD).toString();
    const hashOf = (tag: string) => {
      const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page)![1]!;
      return `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    };
    expect(CARD_CSP).toContain(`style-src ${hashOf('style')};`);
    expect(CARD_CSP).toContain(`script-src ${hashOf('script')};`);
    expect(page).not.toMatch(/ style=| on\w+=/);
  });
});
