import type { Context } from 'koa';
import type { Photo } from '../shared/photo.js';
import { CARD_CSP } from './card/card-assets.js';
import { renderBirdCard } from './card/render-card.js';
import type { BirdFact } from './facts/bird-fact.js';

/** bird's JSON answer. */
export interface Bird extends BirdFact {
  readonly image: string;
}

/**
 * Answers `fact` with `photo` in the form the client prefers: the HTML card to a client that
 * prefers `text/html` (a browser), the JSON bird `{ name, description, image }` to every other
 * (JSON is offered first, so it wins curl's wildcard `Accept`, or none). Never cacheable: each
 * call is a new random bird.
 */
export function answerBird(
  ctx: Context,
  fact: BirdFact,
  photo: Photo,
  defaultImageUrl: string,
): void {
  ctx.vary('Accept');
  ctx.set('Cache-Control', 'no-store');
  if (prefersHtml(ctx)) {
    ctx.set('Content-Security-Policy', CARD_CSP);
    ctx.type = 'html';
    ctx.body = renderBirdCard({
      ...fact,
      photo,
      isDefaultImage: photo.url === defaultImageUrl,
    }).toString();
    return;
  }
  ctx.body = { name: fact.name, description: fact.description, image: photo.url } satisfies Bird;
}

/**
 * Whether the client prefers the card to JSON. Without `Accept`, or with curl's and most
 * clients' `*\/*`, JSON wins as the first offered without asking the negotiator, which costs a
 * request more than the rest of its answer (bench/HISTORY.md, section 12).
 */
function prefersHtml(ctx: Context): boolean {
  const accept = ctx.req.headers.accept;
  if (accept === undefined || accept === '*/*' || accept === 'application/json') return false;
  return ctx.accepts('json', 'html') === 'html';
}
