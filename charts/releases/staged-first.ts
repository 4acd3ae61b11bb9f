import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  parseReleaseTags,
  PROMOTION_ORDER,
  RELEASE_TAGS_FILE,
  type ReleaseTags,
} from './release-tags.js';

/** One version of the release tags file: the commit that wrote it, and what it held. */
export interface TagsVersion {
  readonly commit: string;
  readonly tags: ReleaseTags;
}

/**
 * Why the newest version of `history` (oldest first) promotes a tag that the environment before
 * it in {@link PROMOTION_ORDER} has not run first, or `undefined` when every one did. An
 * environment's tag must have been its predecessor's in an earlier commit than the one that gave
 * it that tag; the tags of the file's first version predate promotion and are taken as they are.
 */
export function unstagedPromotion(history: readonly TagsVersion[]): string | undefined {
  const newest = history.at(-1);
  if (!newest) return undefined;
  for (const [index, target] of PROMOTION_ORDER.entries()) {
    if (index === 0) continue;
    const source = PROMOTION_ORDER[index - 1]!;
    const tag = newest.tags[target];
    // The version that gave the target its tag: the first of the last run holding it.
    let since = history.length - 1;
    while (since > 0 && history[since - 1]!.tags[target] === tag) since -= 1;
    if (since === 0) continue;
    const ranBefore = history.slice(0, since).some((version) => version.tags[source] === tag);
    if (!ranBefore) {
      return (
        `${target} runs ${tag} since ${history[since]!.commit.slice(0, 12)}, but ${source} ` +
        `never ran it before: promote it with npm run promote -- ${source} ${target} ` +
        '(docs/releasing.md, "Releasing")'
      );
    }
  }
  return undefined;
}

/** Every committed version of the release tags file in `repository`, oldest first. */
export function tagsHistory(repository: string): TagsVersion[] {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repository, ...args], { encoding: 'utf8' });
  const file = path.relative(repository, RELEASE_TAGS_FILE).split(path.sep).join('/');
  const commits = git('rev-list', '--reverse', '--topo-order', 'HEAD', '--', file)
    .split('\n')
    .filter(Boolean);
  return commits.map((commit) => ({
    commit,
    tags: parseReleaseTags(git('show', `${commit}:${file}`), `${file} at ${commit}`),
  }));
}

// `node --import tsx charts/releases/staged-first.ts`, for CI's "released" job (which fetches
// the whole history): one line and exit code 1 when a tag skipped an environment.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problem = unstagedPromotion(tagsHistory(path.resolve(import.meta.dirname, '../..')));
  if (problem) {
    process.stderr.write(`staged-first: ${problem}\n`);
    process.exit(1);
  }
  process.stdout.write('staged-first: every release tag ran in the environment before.\n');
}
