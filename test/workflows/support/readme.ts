import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AviaryEnvironment } from '../../../charts/environments.js';
import { imageRefs, SERVICES } from '../../../charts/image-refs.js';
import { RELEASE_TAGS_FILE } from '../../../charts/releases/release-tags.js';
import { REPO_ROOT } from '../../image/dockerfile.js';

/** The README's "To a cluster" section, up to the next second-level heading. */
export const readmeToACluster = (
  readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'),
) => readme.split('## To a cluster')[1]!.split('\n## ')[0]!;

/**
 * What the README's "To a cluster" section says wrong about the images `production` (dist/)
 * pulls: it names each image's repository and the file holding the tag, and no concrete tag,
 * so that `npm run promote` (which changes the tag) leaves it true.
 */
export function publishedImageProblems(section: string, production: AviaryEnvironment): string[] {
  const problems: string[] = [];
  const refs = imageRefs(production);
  const tagsFile = path.relative(REPO_ROOT, RELEASE_TAGS_FILE);
  for (const service of SERVICES) {
    if (!section.includes(`\`${refs[service].repository}:<tag>\``)) {
      problems.push(`names no \`${refs[service].repository}:<tag>\``);
    }
  }
  if (!section.includes(`\`${tagsFile}\``)) problems.push(`names not ${tagsFile}, the tag's file`);
  if (!section.includes('release tag `v<tag>`')) problems.push('names no release tag `v<tag>`');
  const pinned = section.match(/aviary-bird(-image)?:\d[\w.-]*|`v\d+\.\d+\.\d+[\w.-]*`/g) ?? [];
  for (const version of pinned) problems.push(`pins ${version}, which a promotion makes stale`);
  if (section.includes(production.imageTag) && /\d/.test(production.imageTag)) {
    problems.push(`names the tag ${production.imageTag}, which a promotion makes stale`);
  }
  return problems;
}
