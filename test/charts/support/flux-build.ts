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
 * patches are modelled (any other throws), their target matched as kustomize does: an absent
 * field matches any value, the name is a regular expression matching the whole name.
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
    if ((parse(patch.patch) as { $patch?: string })?.$patch !== 'delete') {
      throw new Error(`${kustomization.metadata.name}: only $patch: delete patches are modelled`);
    }
    return patch.target ?? {};
  });
  const built = manifests.filter(
    (m) => synced.files.includes(m.file) && !deleted.some((target) => targets(target, m.object)),
  );
  return { ...synced, manifests: built };
}

/** Whether a patch's `target` selects `object`. */
function targets(target: NonNullable<FluxPatch['target']>, object: KubeObject): boolean {
  const slash = object.apiVersion.lastIndexOf('/');
  const fields: [string | undefined, string][] = [
    [target.group, slash < 0 ? '' : object.apiVersion.slice(0, slash)],
    [target.version, object.apiVersion.slice(slash + 1)],
    [target.kind, object.kind],
    [target.namespace, object.metadata.namespace ?? ''],
  ];
  return (
    fields.every(([wanted, actual]) => !wanted || wanted === actual) &&
    (!target.name || new RegExp(`^(?:${target.name})$`).test(object.metadata.name))
  );
}
