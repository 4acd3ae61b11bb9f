import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The file holding the image tag of every released environment: the one thing a release
 * changes, so that promoting one is a one-line, reviewable diff (`npm run promote`).
 */
export const RELEASE_TAGS_FILE = path.join(import.meta.dirname, 'release-tags.json');

/**
 * The environments a release goes through, in order: a tag runs in each before the next
 * (docs/releasing.md, "Releasing"). CI refuses a production tag staging has not run.
 */
export const PROMOTION_ORDER = ['staging', 'production'] as const;

/** An environment of {@link PROMOTION_ORDER}. */
export type ReleasedEnvironment = (typeof PROMOTION_ORDER)[number];

/** The image tag of each released environment, as {@link RELEASE_TAGS_FILE} holds them. */
export type ReleaseTags = Readonly<Record<ReleasedEnvironment, string>>;

/**
 * Parses the text of a release tags file: exactly the environments of {@link PROMOTION_ORDER},
 * each with a non-empty string. Throws naming `source` and what is wrong.
 */
export function parseReleaseTags(text: string, source: string): ReleaseTags {
  const parsed: unknown = JSON.parse(text);
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why}`);
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('must be a JSON object of environment names to image tags');
  }
  const entries = parsed as Record<string, unknown>;
  const expected = [...PROMOTION_ORDER].sort().join(', ');
  if (Object.keys(entries).sort().join(', ') !== expected) {
    fail(`must name exactly ${expected}`);
  }
  for (const name of PROMOTION_ORDER) {
    if (typeof entries[name] !== 'string' || entries[name] === '') {
      fail(`"${name}" must be an image tag such as "0.1.0"`);
    }
  }
  return entries as ReleaseTags;
}

/** The release tags of this repository. */
export function readReleaseTags(file: string = RELEASE_TAGS_FILE): ReleaseTags {
  return parseReleaseTags(readFileSync(file, 'utf8'), path.basename(file));
}

/** Writes `tags` as the release tags file, formatted as Prettier formats it. */
export function writeReleaseTags(tags: ReleaseTags, file: string = RELEASE_TAGS_FILE): void {
  const ordered = Object.fromEntries(PROMOTION_ORDER.map((name) => [name, tags[name]]));
  writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`);
}
