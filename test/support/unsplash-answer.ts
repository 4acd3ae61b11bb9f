import { json, type Behaviour } from '../../scripts/stand-ins/stub-upstream.js';

/** What an Unsplash search result carries besides its thumbnail. */
export interface SearchResultDetails {
  readonly alt?: string;
  readonly userName?: string;
  readonly profileUrl?: string;
}

/** Answers like Unsplash's search: one result, its thumbnail `thumbUrl`, with alt and user. */
export function unsplashAnswer(
  thumbUrl: string,
  {
    alt = 'A puffin on a cliff top',
    userName = 'Ada Lovelace',
    profileUrl = 'https://unsplash.com/@ada',
  }: SearchResultDetails = {},
): Behaviour {
  return json({
    total: 1,
    results: [
      {
        id: 'p1',
        alt_description: alt,
        urls: { thumb: thumbUrl, raw: thumbUrl },
        user: { name: userName, username: 'ada', links: { html: profileUrl } },
      },
    ],
  });
}
