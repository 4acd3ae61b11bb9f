import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  PROMOTION_ORDER,
  readReleaseTags,
  ReleaseTagsError,
  writeReleaseTags,
  type ReleasedEnvironment,
} from './release-tags.js';

const USAGE = `usage: npm run promote -- <source> <target>   (${PROMOTION_ORDER.join(' → ')})`;

/** A promotion `npm run promote` refuses, with the reason in one line. */
export class PromotionError extends Error {}

/**
 * Checks a promotion from `source` to `target`: both environments of {@link PROMOTION_ORDER},
 * the target the one right after the source. Returns them typed; throws a
 * {@link PromotionError} otherwise.
 */
export function checkPromotion(args: readonly string[]): {
  source: ReleasedEnvironment;
  target: ReleasedEnvironment;
} {
  if (args.length !== 2) throw new PromotionError(USAGE);
  const [source, target] = args as [string, string];
  const order: readonly string[] = PROMOTION_ORDER;
  for (const name of [source, target]) {
    if (!order.includes(name)) {
      throw new PromotionError(
        `"${name}" is not a released environment: use one of ${PROMOTION_ORDER.join(', ')}`,
      );
    }
  }
  const previous = order[order.indexOf(target) - 1];
  if (previous !== source) {
    throw new PromotionError(
      previous === undefined
        ? `${target} is where a release starts: set its tag in charts/releases/release-tags.json`
        : `${target} takes its releases from ${previous}, not ${source}; ${USAGE}`,
    );
  }
  return { source: source as ReleasedEnvironment, target: target as ReleasedEnvironment };
}

/**
 * Why the working tree of `root` cannot take a promotion, or `undefined`: the diff a promotion
 * leaves must be the promotion alone, so `charts/` (the release tags file with it: the source's
 * tag is the one it runs at HEAD) and every render folder (`folders`) must match HEAD.
 */
export function uncommittedProblem(root: string, folders: readonly string[]): string | undefined {
  const dirty = execFileSync(
    'git',
    ['-C', root, 'status', '--porcelain', '--', 'charts', ...folders],
    {
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter(Boolean);
  if (dirty.length === 0) return undefined;
  const files = dirty.map((line) => line.slice(3)).join(', ');
  return `commit or stash these first, so that the diff is the promotion alone: ${files}`;
}

// `npm run promote -- staging production`: gives the target the source's image tag in
// charts/releases/release-tags.json, re-renders the target, and leaves the diff to review.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { source, target } = checkPromotion(process.argv.slice(2));
    const root = path.resolve(import.meta.dirname, '../..');
    // Imported here: environments.ts reads the release tags, and a bad tag is a one-line refusal.
    const { environments } = await import('../environments.js');
    const folders = [...new Set(Object.values(environments).map((env) => env.gitops.path))];
    const problem = uncommittedProblem(root, folders);
    if (problem) throw new PromotionError(problem);
    const tags = readReleaseTags();
    if (tags[target] === tags[source]) {
      process.stdout.write(`promote: ${target} already runs ${tags[source]}\n`);
    } else {
      // Both tags are valid (readReleaseTags checks them), so the render reads a valid file; if it
      // fails all the same, the file goes back to what it held.
      writeReleaseTags({ ...tags, [target]: tags[source] });
      try {
        execFileSync(process.execPath, ['--import', 'tsx', 'charts/main.ts'], {
          cwd: root,
          env: { ...process.env, AVIARY_ENV: target },
          stdio: 'inherit',
        });
      } catch {
        writeReleaseTags(tags);
        throw new PromotionError(`rendering ${target} failed; release-tags.json is as it was`);
      }
      process.stdout.write(
        `promote: ${target} now runs ${tags[source]} (was ${tags[target]}); ` +
          'review with git diff, then commit\n',
      );
    }
  } catch (error) {
    if (!(error instanceof PromotionError || error instanceof ReleaseTagsError)) throw error;
    process.stderr.write(`promote: ${error.message}\n`);
    process.exit(2);
  }
}
