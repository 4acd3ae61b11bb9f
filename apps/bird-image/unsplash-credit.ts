import { displayText, type PhotoCredit } from '../shared/photo.js';

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

/** What a search result says about its photo beyond the URL: its alt text and its credit. */
export interface UnsplashPhotoDetails {
  readonly alt: string | undefined;
  readonly credit: PhotoCredit | undefined;
}

interface SearchResult {
  readonly alt_description?: unknown;
  readonly user?: { readonly name?: unknown; readonly links?: { readonly html?: unknown } };
}

/**
 * The alt text and photographer credit of the first result of an Unsplash search answer. Each
 * is `undefined` when missing or unusable: the photo is still worth showing without them. The
 * profile link must be a page of `https://unsplash.com/`, whatever the answer says.
 */
export function unsplashPhotoDetails(body: unknown): UnsplashPhotoDetails {
  const results = (body as { results?: unknown } | null)?.results;
  const first = (Array.isArray(results) ? results[0] : undefined) as SearchResult | undefined;
  const name = displayText(first?.user?.name);
  const url = unsplashLink(first?.user?.links?.html);
  return {
    alt: displayText(first?.alt_description),
    credit:
      name === undefined || url === undefined
        ? undefined
        : { name, url, source: 'Unsplash', sourceUrl: UNSPLASH_HOME },
  };
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
