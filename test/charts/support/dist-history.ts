import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../support/k8s-types.js';
import type { Manifest } from '../../support/manifests.js';

/** The repository the committed dist/ belongs to. */
const REPOSITORY = path.resolve(import.meta.dirname, '..', '..', '..');

/** The objects one commit's dist/ held. */
export interface DistVersion {
  /** The commit, abbreviated as `git log --format=%h` does. */
  readonly commit: string;
  readonly objects: readonly KubeObject[];
  /** The same objects, each with its file relative to the folder, as loadManifests gives them. */
  readonly manifests: readonly Manifest[];
}

const git = (args: readonly string[]) =>
  execFileSync('git', args, {
    cwd: REPOSITORY,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });

/**
 * Every render of `folder` (a path from the repository root: `dist`, `environments/staging`) the
 * current branch has carried: one version per commit that touched the folder, read
 * from git's objects (no checkout), all blobs in one `git cat-file --batch`. A shallow clone
 * holds only part of the history, so it throws rather than compare against too little: CI
 * checks out with `fetch-depth: 0`.
 */
export function distHistory(folder = 'dist'): readonly DistVersion[] {
  // Read once per folder and test file: several checks compare against the same history.
  const known = read.get(folder);
  if (known) return known;
  const versions = readHistory(folder);
  read.set(folder, versions);
  return versions;
}
const read = new Map<string, readonly DistVersion[]>();

function readHistory(folder: string): DistVersion[] {
  if (git(['rev-parse', '--is-shallow-repository']).trim() !== 'false') {
    throw new Error('shallow clone: fetch the whole history (git fetch --unshallow)');
  }
  const commits = git(['log', '--format=%h', '--', folder]).split('\n').filter(Boolean);
  const trees = commits.map((commit) => ({
    commit,
    // `<mode> blob <id>\t<path>`, the path from the repository root.
    blobs: git(['ls-tree', '-r', commit, '--', folder])
      .split('\n')
      .filter((line) => /\.ya?ml$/.test(line))
      .map((line) => {
        const [meta, file] = line.split('\t') as [string, string];
        return { id: meta.split(/\s+/)[2]!, file: path.posix.relative(folder, file) };
      }),
  }));
  const contents = readBlobs([...new Set(trees.flatMap((tree) => tree.blobs.map((b) => b.id)))]);
  return trees.map(({ commit, blobs }) => {
    const manifests = blobs.flatMap(({ id, file }) =>
      parseAllDocuments(contents.get(id)!)
        .map((doc) => doc.toJS() as KubeObject | null)
        .filter((object): object is KubeObject => object !== null)
        .map((object) => ({ file, object })),
    );
    return { commit, objects: manifests.map((m) => m.object), manifests };
  });
}

/** The text of each blob, by id: `git cat-file --batch` prints `<id> blob <size>\n<bytes>\n`. */
function readBlobs(ids: readonly string[]): Map<string, string> {
  const output = Buffer.from(
    execFileSync('git', ['cat-file', '--batch'], {
      cwd: REPOSITORY,
      input: ids.join('\n') + '\n',
      maxBuffer: 256 * 1024 * 1024,
    }),
  );
  const texts = new Map<string, string>();
  let at = 0;
  for (const id of ids) {
    const headerEnd = output.indexOf(10, at);
    const size = Number(output.subarray(at, headerEnd).toString('utf8').split(' ')[2]);
    texts.set(id, output.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    at = headerEnd + 1 + size + 1;
  }
  return texts;
}
