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

/**
 * Every version of the release tags file on the first-parent history of `ref` in `repository`,
 * oldest first, one per change. The first-parent history is what the synced branch
 * (`gitops.branch`) went through: the commits inside a merged pull request never ran anywhere,
 * so a pull request that sets staging's tag and then production's counts as one change. Throws
 * on a shallow clone, whose history is cut short.
 */
export function tagsHistory(repository: string, ref = 'HEAD'): TagsVersion[] {
  const git = (args: string[], input?: string) =>
    execFileSync('git', ['-C', repository, ...args], { encoding: 'utf8', input });
  if (git(['rev-parse', '--is-shallow-repository']).trim() === 'true') {
    throw new Error(
      'the clone is shallow, so the history of the release tags is incomplete: ' +
        'fetch it whole (actions/checkout with fetch-depth: 0, or git fetch --unshallow)',
    );
  }
  const file = path.relative(repository, RELEASE_TAGS_FILE).split(path.sep).join('/');
  const commits = git(['rev-list', '--first-parent', '--reverse', ref]).split('\n').filter(Boolean);
  // One `git cat-file` for every commit's version of the file: "<blob> blob <size>" or "missing".
  const blobs = git(
    ['cat-file', '--batch-check=%(objectname)'],
    commits.map((c) => `${c}:${file}\n`).join(''),
  )
    .split('\n')
    .slice(0, commits.length);
  const history: TagsVersion[] = [];
  let previous: string | undefined;
  for (const [index, blob] of blobs.entries()) {
    if (blob.endsWith('missing') || blob === previous) continue;
    previous = blob;
    const commit = commits[index]!;
    history.push({
      commit,
      tags: parseReleaseTags(git(['cat-file', 'blob', blob]), `${file} at ${commit}`),
    });
  }
  return history;
}

/**
 * The history a pull request is judged on: the versions of the file on its base branch's
 * first-parent history, then the pull request's own result as one version, as merging it would
 * add to the base branch.
 */
export function pullRequestHistory(repository: string, base: string): TagsVersion[] {
  const history = tagsHistory(repository, base);
  const head = tagsHistory(repository).at(-1);
  const last = history.at(-1);
  const changed = head && JSON.stringify(head.tags) !== JSON.stringify(last?.tags);
  return changed ? [...history, head] : history;
}

const USAGE = 'usage: staged-first.ts [--base <ref of the branch a pull request merges into>]';

// `node --import tsx charts/releases/staged-first.ts [--base origin/main]`, for CI's "released"
// job (which fetches the whole history): one line and exit code 1 when a tag skipped an
// environment; on a pull request CI passes the base branch.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const repository = path.resolve(import.meta.dirname, '../..');
  try {
    if (!(args.length === 0 || (args.length === 2 && args[0] === '--base' && args[1]))) {
      throw new Error(USAGE);
    }
    const history = args[1] ? pullRequestHistory(repository, args[1]) : tagsHistory(repository);
    const problem = unstagedPromotion(history);
    if (problem) throw new Error(problem);
  } catch (error) {
    process.stderr.write(`staged-first: ${(error as Error).message.trim()}\n`);
    process.exit(1);
  }
  process.stdout.write('staged-first: every release tag ran in the environment before.\n');
}
