import { displayText, withOptional, type Photo, type PhotoCredit } from '../../../shared/photo.js';
import { MalformedResponseError } from '../../../shared/upstream/upstream-client.js';
import { imageUrlRefusal } from './image-url-policy.js';

/**
 * Unsplash's API guidelines: a page showing a photo credits Unsplash and the photographer, with
 * a link to their Unsplash profile, and every link back to Unsplash carries these parameters.
 * https://help.unsplash.com/en/articles/2511245-unsplash-api-guidelines
 */
const REFERRAL = { utm_source: 'aviary', utm_medium: 'referral' } as const;
const UNSPLASH_ORIGIN = 'https://unsplash.com';
const UNSPLASH_HOME = withReferral(new URL(UNSPLASH_ORIGIN));
// A profile page is `https://unsplash.com/@username`; a longer link is not one, and is not kept.
const MAX_PROFILE_URL_LENGTH = 300;

/** The first photo of a search answer, as read. */
export interface SearchAnswer {
  /** `null` when the search found nothing, or its photo's URL was refused. */
  readonly photo: Photo | null;
  /** Why the photo's URL was refused, and its length: what may be logged, never the URL. */
  readonly refusal?: { readonly reason: string; readonly length: number };
}

// Only what is read of a search result: Unsplash sends far more, and extra fields must not break us.
interface SearchResult {
  readonly urls?: { readonly thumb?: unknown };
  readonly alt_description?: unknown;
  readonly user?: { readonly name?: unknown; readonly links?: { readonly html?: unknown } };
}

/**
 * The first photo of an Unsplash search answer: its thumbnail, serialized (what another URL
 * parser reads the same way), with its alt text and photographer credit, each dropped when
 * missing or unusable (the photo is still worth showing without them). No photo when the search
 * found nothing, or when the thumbnail's URL is refused (see `imageUrlRefusal`, with
 * `imageHosts`). Throws a `MalformedResponseError` when the answer is not a search answer.
 */
export function readSearchAnswer(body: unknown, imageHosts: readonly string[]): SearchAnswer {
  const results = (body as { results?: unknown } | null)?.results;
  if (Array.isArray(results) && results.length === 0) return { photo: null };
  const first = (Array.isArray(results) ? results[0] : undefined) as
    SearchResult | null | undefined;
  const thumb = first?.urls?.thumb;
  if (typeof thumb !== 'string') {
    throw new MalformedResponseError('unexpected Unsplash search answer');
  }
  const reason = imageUrlRefusal(thumb, imageHosts);
  if (reason !== undefined) return { photo: null, refusal: { reason, length: thumb.length } };
  const url = new URL(thumb).href;
  return { photo: withOptional({ url }, displayText(first!.alt_description), creditOf(first!)) };
}

// The photographer, linked to a page of `https://unsplash.com/`, whatever the answer says.
function creditOf({ user }: SearchResult): PhotoCredit | undefined {
  const name = displayText(user?.name);
  const url = unsplashLink(user?.links?.html);
  return name === undefined || url === undefined
    ? undefined
    : { name, url, source: 'Unsplash', sourceUrl: UNSPLASH_HOME };
}

// An Unsplash page, with the referral parameters; `undefined` for anything else.
function unsplashLink(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_PROFILE_URL_LENGTH || !URL.canParse(value))
    return undefined;
  const url = new URL(value);
  if (url.origin !== UNSPLASH_ORIGIN || url.username || url.password) return undefined;
  return withReferral(url);
}

function withReferral(url: URL): string {
  for (const [key, value] of Object.entries(REFERRAL)) url.searchParams.set(key, value);
  return url.href;
}
