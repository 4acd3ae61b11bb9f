import { parse } from 'yaml';
import type { KubeObject } from '../../support/k8s-types.js';
import type { Manifest } from '../../support/manifests.js';
import { fluxSyncedFiles } from './layout.js';

/** A patch of a Flux Kustomization's `spec.patches`. */
interface FluxPatch {
  readonly patch: string;
  readonly target?: {
    readonly group?: string;
    readonly version?: string;
    readonly kind?: string;
    readonly name?: string;
    readonly namespace?: string;
  };
}

/**
 * What a Flux Kustomization builds: the objects of the files its GitRepository keeps under its
 * path ({@link fluxSyncedFiles}), but for those its `spec.patches` delete. fluxcd/pkg kustomize
 * v1.35.4 (kustomize-controller v1.9.4's), kustomize/kustomize_generator.go `GenerateManifest`,
 * copies each patch and target into the kustomization.yaml it builds. Only `$patch: delete`
 * patches with a `target` are modelled (any other throws: kustomize matches a patch without one
 * to the object of its own kind and name, api v0.21.1 PatchTransformer.go:117-125), their
 * target matched as kustomize does (api/types/selector.go:81-86): each field a regular
 * expression matching the whole value, an absent one any value.
 * test/charts/kustomize.test.ts builds the same with the real kustomize and compares.
 */
export function fluxBuild(
  files: readonly string[],
  manifests: readonly Manifest[],
  kustomization: KubeObject,
): { root: string; files: string[]; manifests: Manifest[] } | undefined {
  const synced = fluxSyncedFiles(files, manifests, kustomization);
  if (!synced) return undefined;
  const patches = (kustomization.spec as { patches?: FluxPatch[] }).patches ?? [];
  const deleted = patches.map((patch) => {
    const owner = kustomization.metadata.name;
    if ((parse(patch.patch) as { $patch?: string })?.$patch !== 'delete') {
      throw new Error(`${owner}: only $patch: delete patches are modelled`);
    }
    if (!patch.target) throw new Error(`${owner}: only patches with a target are modelled`);
    return patch.target;
  });
  const built = manifests.filter(
    (m) => synced.files.includes(m.file) && !deleted.some((target) => targets(target, m.object)),
  );
  return { ...synced, manifests: built };
}

/**
 * The patterns the model reads as kustomize does: letters, digits, `-`, `_`, escaped characters,
 * `.`, `*`, `+`, `?`, `|`, groups, a leading `^` and a trailing `$`, which Go's RE2 and
 * JavaScript read alike. Any other throws.
 */
const MODELLED_PATTERN = /^\^?(?:[A-Za-z0-9_-]|\\[.^$*+?()|[\]{}\\/-]|[.*+?|()])*\$?$/;

/** A target field as kustomize compiles it: a regular expression matching the whole value. */
function anchored(pattern: string): RegExp {
  if (!MODELLED_PATTERN.test(pattern)) {
    throw new Error(`target pattern ${JSON.stringify(pattern)} is not modelled`);
  }
  return new RegExp(`^(?:${pattern})$`);
}

/** Whether a patch's `target` selects `object`. */
function targets(target: NonNullable<FluxPatch['target']>, object: KubeObject): boolean {
  const slash = object.apiVersion.lastIndexOf('/');
  const fields: [string | undefined, string][] = [
    [target.group, slash < 0 ? '' : object.apiVersion.slice(0, slash)],
    [target.version, object.apiVersion.slice(slash + 1)],
    [target.kind, object.kind],
    [target.name, object.metadata.name],
    [target.namespace, object.metadata.namespace ?? ''],
  ];
  return fields.every(([wanted, actual]) => !wanted || anchored(wanted).test(actual));
}
