import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isPinnableTag } from '../constructs/web-settings.js';

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

/** A release tags file that does not parse, with `source` and what is wrong in one line. */
export class ReleaseTagsError extends Error {}

/**
 * Parses the text of a release tags file: exactly the environments of {@link PROMOTION_ORDER},
 * each with a tag the manifests may pin (the rule of `resolveImage`). Throws a
 * {@link ReleaseTagsError} naming `source` and what is wrong.
 */
export function parseReleaseTags(text: string, source: string): ReleaseTags {
  const fail = (why: string): never => {
    throw new ReleaseTagsError(`${source}: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('must be a JSON object of environment names to image tags');
  }
  const entries = parsed as Record<string, unknown>;
  const expected = [...PROMOTION_ORDER].sort().join(', ');
  if (Object.keys(entries).sort().join(', ') !== expected) {
    fail(`must name exactly ${expected}`);
  }
  for (const name of PROMOTION_ORDER) {
    const tag = entries[name];
    if (typeof tag !== 'string' || !isPinnableTag(tag)) {
      fail(`"${name}" is ${JSON.stringify(tag)}: pin a release such as "0.1.0" (never "latest")`);
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
