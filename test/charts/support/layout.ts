import { isDeepStrictEqual } from 'node:util';
import { AUTOSCALING } from '../../../charts/autoscaling-chart.js';
import type { AviaryEnvironment } from '../../../charts/environments.js';
import { ROLLOUTS_FOLDER } from '../../../charts/layout.js';
import type { KubeObject } from '../../support/k8s-types.js';
import { describeObject, ofKind, type Manifest } from '../../support/manifests.js';
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

/** The files (relative to the output folder) an Argo CD Application's directory source reads. */
export function argoSyncedFiles(
  files: readonly string[],
  app: KubeObject,
  distPath = 'dist',
): string[] {
  const source =
    (
      app.spec as {
        source?: {
          path?: string;
          directory?: { recurse?: boolean; include?: string; exclude?: string };
        };
      }
    ).source ?? {};
  const sourcePath = source.path ?? '';
  if (sourcePath !== distPath && !sourcePath.startsWith(`${distPath}/`)) return [];
  const prefix = sourcePath === distPath ? '' : `${sourcePath.slice(distPath.length + 1)}/`;
  const dir = source.directory ?? {};
  return files.filter((file) => {
    if (!file.startsWith(prefix)) return false;
    const relative = file.slice(prefix.length);
    return (
      (dir.recurse || !relative.includes('/')) &&
      (!dir.include || argoGlob(dir.include).test(relative)) &&
      !(dir.exclude && argoGlob(dir.exclude).test(relative))
    );
  });
}

/** The files (relative to the output folder) a Flux Kustomization builds from its source. */
export function fluxSyncedFiles(
  files: readonly string[],
  manifests: readonly Manifest[],
  kustomization: KubeObject,
): { root: string; files: string[] } | undefined {
  const spec = kustomization.spec as { path?: string; sourceRef: { kind: string; name: string } };
  const repository = ofKind<KubeObject>(manifests, 'GitRepository').find(
    (r) =>
      spec.sourceRef.kind === 'GitRepository' &&
      r.metadata.name === spec.sourceRef.name &&
      r.metadata.namespace === kustomization.metadata.namespace,
  );
  if (!repository) return undefined;
  const root = (spec.path ?? '').replace(/^\.\//, '').replace(/\/$/, '');
  const ignore = (repository.spec as { ignore?: string }).ignore ?? '';
  // Flux builds a kustomization of every manifest under the path, sub-folders included.
  return { root, files: files.filter((file) => !gitIgnored(ignore, `${root}/${file}`)) };
}

/**
 * The files of one environment's output that no GitOps unit may sync: the layer its
 * `progressiveDelivery` leaves to `kubectl` (the Deployments' autoscalers when GitOps syncs the
 * rollouts layer, the rollouts layer otherwise), whose autoscalers share names with the other's.
 */
export function filesLeftToKubectl(
  environment: Pick<AviaryEnvironment, 'progressiveDelivery'>,
  files: readonly string[],
): string[] {
  return environment.progressiveDelivery
    ? files.filter((file) => file.endsWith(`-${AUTOSCALING}.k8s.yaml`) && !file.includes('/'))
    : files.filter((file) => file.startsWith(`${ROLLOUTS_FOLDER}/`));
}

/**
 * Whether the GitOps objects, taken together, sync exactly the output folder minus its GitOps
 * sub-folder and the files {@link filesLeftToKubectl}, each file through one unit only, with pruning: everything else (monitoring
 * included), and never their own bootstrap objects, which a controller would otherwise manage,
 * and prune, itself.
 */
export function gitopsProblems(
  files: readonly string[],
  manifests: readonly Manifest[],
  distPath = 'dist',
  leftToKubectl: readonly string[] = [],
): string[] {
  const wanted = files
    .filter((file) => !file.startsWith(`${GITOPS_DIR}/`) && !leftToKubectl.includes(file))
    .sort();
  const problems: string[] = [];
  const compare = (controller: string, synced: Map<string, string[]>) => {
    for (const file of files) {
      const by = synced.get(file) ?? [];
      if (wanted.includes(file) && by.length === 0)
        problems.push(`${controller}: no unit syncs ${file}`);
      if (!wanted.includes(file)) for (const unit of by) problems.push(`${unit}: syncs ${file}`);
      if (wanted.includes(file) && by.length > 1)
        problems.push(`${controller}: ${by.join(' and ')} all sync ${file}`);
    }
  };

  const byArgo = new Map<string, string[]>();
  for (const app of ofKind<KubeObject>(manifests, 'Application')) {
    const at = `Application ${app.metadata.name}`;
    for (const file of argoSyncedFiles(files, app, distPath))
      byArgo.set(file, [...(byArgo.get(file) ?? []), at]);
    const spec = app.spec as {
      syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } };
    };
    if (!spec.syncPolicy?.automated?.prune || !spec.syncPolicy.automated.selfHeal) {
      problems.push(`${at}: automated sync without prune and selfHeal`);
    }
  }
  if (byArgo.size > 0 || ofKind(manifests, 'Application').length > 0) compare('Argo CD', byArgo);

  const byFlux = new Map<string, string[]>();
  for (const kustomization of ofKind<KubeObject>(manifests, 'Kustomization')) {
    const at = `Kustomization ${kustomization.metadata.name}`;
    const spec = kustomization.spec as {
      path?: string;
      prune?: boolean;
      sourceRef: { kind: string; name: string };
    };
    const synced = fluxSyncedFiles(files, manifests, kustomization);
    if (!synced) {
      problems.push(`${at}: source ${spec.sourceRef.kind} ${spec.sourceRef.name} does not exist`);
      continue;
    }
    if (synced.root !== distPath) problems.push(`${at}: path ${spec.path} is not ./${distPath}`);
    for (const file of synced.files) byFlux.set(file, [...(byFlux.get(file) ?? []), at]);
    if (spec.prune !== true) problems.push(`${at}: prune is not enabled`);
  }
  if (ofKind(manifests, 'Kustomization').length > 0) {
    // A file whose every object Flux's bootstrap file applies as it is (the Namespace and the
    // cluster-scoped objects, charts/flux-chart.ts) is synced by that file, not by a unit.
    const bootstrapFiles = new Set(
      ofKind<KubeObject>(manifests, 'Kustomization').map(
        (k) => manifests.find((m) => m.object === k)!.file,
      ),
    );
    const bootstrap = manifests.filter((m) => bootstrapFiles.has(m.file)).map((m) => m.object);
    for (const file of wanted.filter((f) => !byFlux.has(f))) {
      const objects = manifests.filter((m) => m.file === file).map((m) => m.object);
      if (objects.every((o) => bootstrap.some((b) => isDeepStrictEqual(b, o)))) {
        byFlux.set(file, ["Flux's bootstrap file"]);
      }
    }
    compare('Flux', byFlux);
  }
  return problems;
}
