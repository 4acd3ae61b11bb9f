import type { KubeObject } from './k8s-types.js';
import { describeObject, ofKind, type Manifest } from './manifests.js';
import type { SchemaValidators } from './schemas.js';
import { KUBERNETES_VERSIONS } from './schemas.js';
import { CLUSTER_SCOPED } from './hygiene.js';

/** The folder GitOps bootstrap objects live in, relative to the output folder. */
export const GITOPS_DIR = 'gitops';

/**
 * What `kubectl apply -f dist` needs: top-level files hold only kinds every supported
 * Kubernetes knows, no kustomization file (apply would send it to the server), no empty file,
 * and each Namespace or PriorityClass comes before the objects that use it (kubectl applies
 * files in name order, documents in file order). CRD kinds live in sub-folders.
 */
export function layoutProblems(
  files: readonly string[],
  manifests: readonly Manifest[],
  validators: SchemaValidators,
): string[] {
  const problems: string[] = [];
  for (const file of files) {
    if (/(^|\/)kustomization\.ya?ml$/i.test(file))
      problems.push(`${file}: kustomization files break kubectl apply`);
    if (!/\.k8s\.yaml$/.test(file)) problems.push(`${file}: not a synthesized manifest`);
    if (!manifests.some((m) => m.file === file)) problems.push(`${file}: holds no object`);
  }
  const topLevel = manifests.filter((m) => !m.file.includes('/'));
  for (const manifest of topLevel) {
    const { apiVersion, kind } = manifest.object;
    for (const version of KUBERNETES_VERSIONS) {
      if (!validators.isBuiltIn(apiVersion, kind, version)) {
        problems.push(
          `${describeObject(manifest)}: ${apiVersion} ${kind} is not built into Kubernetes ${version}`,
        );
      }
    }
  }
  // Top-level files are applied in order; each object needs its Namespace and PriorityClass.
  const ordered = [...topLevel].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  ordered.forEach((manifest, index) => {
    const before = ordered.slice(0, index).map((m) => m.object);
    const { metadata, kind } = manifest.object;
    const needs: [string, string | undefined][] = [
      ['Namespace', CLUSTER_SCOPED.has(kind) ? undefined : metadata.namespace],
      ['PriorityClass', priorityClassOf(manifest.object)],
    ];
    for (const [neededKind, name] of needs) {
      if (name && !before.some((o) => o.kind === neededKind && o.metadata.name === name)) {
        problems.push(`${describeObject(manifest)}: applied before ${neededKind} ${name}`);
      }
    }
  });
  return problems;
}

function priorityClassOf(object: KubeObject): string | undefined {
  const spec = object.spec as { template?: { spec?: { priorityClassName?: string } } } | undefined;
  return spec?.template?.spec?.priorityClassName;
}

/** A glob as Argo CD matches directory include/exclude patterns (`*` stays within a folder). */
export function argoGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') source += '(?:';
    else if (char === '}') source += ')';
    else if (char === ',') source += '|';
    else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Whether .gitignore-style `rules` leave out `file` (a repository path without leading `/`). */
export function gitIgnored(rules: string, file: string): boolean {
  const patterns = rules
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const parts = file.split('/');
  // A file under an ignored folder is ignored whatever comes later: git never looks inside.
  for (let depth = 1; depth <= parts.length; depth++) {
    const candidate = parts.slice(0, depth).join('/');
    const isDir = depth < parts.length;
    let ignored = false;
    for (const raw of patterns) {
      const negated = raw.startsWith('!');
      let pattern = negated ? raw.slice(1) : raw;
      const dirOnly = pattern.endsWith('/');
      pattern = pattern.replace(/\/$/, '');
      if (dirOnly && !isDir) continue;
      const anchored = pattern.includes('/');
      const regex = argoGlob(pattern.replace(/^\//, ''));
      const subject = anchored ? candidate : parts[depth - 1]!;
      if (regex.test(subject)) ignored = !negated;
    }
    if (ignored) return true;
  }
  return false;
}

/**
 * Whether the GitOps objects sync exactly the output folder minus its GitOps sub-folder:
 * everything else (monitoring included), and never their own bootstrap objects, which a
 * controller would otherwise manage, and prune, itself.
 */
export function gitopsProblems(
  files: readonly string[],
  manifests: readonly Manifest[],
  distPath = 'dist',
): string[] {
  const wanted = files.filter((file) => !file.startsWith(`${GITOPS_DIR}/`)).sort();
  const problems: string[] = [];
  const compare = (at: string, synced: string[]) => {
    for (const file of files) {
      if (synced.includes(file) !== wanted.includes(file)) {
        problems.push(`${at}: ${synced.includes(file) ? 'syncs' : 'does not sync'} ${file}`);
      }
    }
  };

  for (const app of ofKind<KubeObject>(manifests, 'Application')) {
    const at = `Application ${app.metadata.name}`;
    const spec = app.spec as {
      source?: {
        path?: string;
        directory?: { recurse?: boolean; include?: string; exclude?: string };
      };
      syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } };
    };
    const source = spec.source ?? {};
    if (source.path !== distPath) problems.push(`${at}: path ${source.path} is not ${distPath}`);
    const dir = source.directory ?? {};
    compare(
      at,
      files.filter(
        (file) =>
          (dir.recurse || !file.includes('/')) &&
          (!dir.include || argoGlob(dir.include).test(file)) &&
          !(dir.exclude && argoGlob(dir.exclude).test(file)),
      ),
    );
    if (!spec.syncPolicy?.automated?.prune || !spec.syncPolicy.automated.selfHeal) {
      problems.push(`${at}: automated sync without prune and selfHeal`);
    }
  }

  const repositories = ofKind<KubeObject>(manifests, 'GitRepository');
  for (const kustomization of ofKind<KubeObject>(manifests, 'Kustomization')) {
    const at = `Kustomization ${kustomization.metadata.name}`;
    const spec = kustomization.spec as {
      path?: string;
      prune?: boolean;
      sourceRef: { kind: string; name: string };
    };
    const repository = repositories.find(
      (r) =>
        spec.sourceRef.kind === 'GitRepository' &&
        r.metadata.name === spec.sourceRef.name &&
        r.metadata.namespace === kustomization.metadata.namespace,
    );
    if (!repository) {
      problems.push(`${at}: source ${spec.sourceRef.kind} ${spec.sourceRef.name} does not exist`);
      continue;
    }
    const root = (spec.path ?? '').replace(/^\.\//, '').replace(/\/$/, '');
    if (root !== distPath) problems.push(`${at}: path ${spec.path} is not ./${distPath}`);
    const ignore = (repository.spec as { ignore?: string }).ignore ?? '';
    // Flux builds a kustomization of every manifest under the path, sub-folders included.
    compare(
      at,
      files.filter((file) => !gitIgnored(ignore, `${root}/${file}`)),
    );
    if (spec.prune !== true) problems.push(`${at}: prune is not enabled`);
  }
  return problems;
}
