import type { KubeObject } from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { CLUSTER_SCOPED } from './hygiene.js';
import { fluxBuild } from './flux-build.js';
import { fluxSyncedFiles } from './layout.js';
import { allowsOn, grantsOf, rulesIn } from './rbac-reach.js';

// The annotation that makes Flux skip an object it would prune: kustomize-controller v1.9.4
// passes it as an exclusion (internal/controller/kustomization_controller.go, `deleteObjects`).
export const PRUNE_DISABLED = ['kustomize.toolkit.fluxcd.io/prune', 'disabled'] as const;

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const resourceOf = (kind: string) => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};
const keyOf = (o: KubeObject) =>
  `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const filesOf = (manifests: readonly Manifest[]) => [...new Set(manifests.map((m) => m.file))];

/**
 * What a Flux unit's inventory lists after it synced `before` (every object of the files its
 * GitRepository kept) and the same unit of `current` could not prune. A unit prunes as its own
 * identity what left its render: fluxcd/pkg ssa/v0.76.1 (ssa/manager_delete.go:64-97, `Delete`,
 * as kustomize-controller v1.9.4 calls it) gets each object, skips it when it carries
 * `kustomize.toolkit.fluxcd.io/prune: disabled`, and deletes it otherwise; kustomize-controller
 * turns a forbidden get or delete into PruneFailed, at every reconcile. So for each such object:
 * - still in the unit's files: nothing to prune;
 * - applied now by Flux's bootstrap file (a top-level object that file holds too): the unit's
 *   identity must get it by name, and it must carry the annotation, or the unit deletes it;
 * - otherwise, namespaced: the identity must get and delete its kind in its namespace. A name
 *   the current render no longer holds, cluster-scoped or of a kind the bootstrap file now
 *   applies instead of the unit, needs no right here: a render that dropped it was synced, and
 *   the name pruned, by the unit's identity of that render's bootstrap, which held delete on
 *   those kinds. The hand-over itself drops no name: in either upgrade order
 *   (docs/deploying.md, "Upgrading"), the narrow identity builds main's render or today's
 *   through the Kustomization's patches, which hold the same names, all prune-disabled.
 */
export function inventoryPruneProblems(
  before: readonly Manifest[],
  current: readonly Manifest[],
): string[] {
  const objects = current.map((m) => m.object);
  const problems: string[] = [];
  for (const old of ofKind<KubeObject>(before, 'Kustomization')) {
    const synced = fluxBuild(filesOf(before), before, old);
    const unit = ofKind<KubeObject>(current, 'Kustomization').find(
      (k) =>
        k.metadata.name === old.metadata.name && k.metadata.namespace === old.metadata.namespace,
    );
    const name = (unit?.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
    if (!synced || !unit || !name) continue;
    const grants = grantsOf({ name, namespace: unit.metadata.namespace! }, objects);
    const applied = new Set(
      (fluxBuild(filesOf(current), current, unit)?.manifests ?? []).map((m) => keyOf(m.object)),
    );
    const bootstrapFile = current.find((m) => m.object === unit)!.file;
    const bootstrap = current.filter((m) => m.file === bootstrapFile).map((m) => m.object);
    const handedOver = new Map(
      current
        .filter((m) => !m.file.includes('/'))
        .map((m) => bootstrap.find((b) => keyOf(b) === keyOf(m.object)))
        .filter((b): b is KubeObject => b !== undefined)
        .map((b) => [keyOf(b), b]),
    );
    const handedOverKinds = new Set(
      [...handedOver.values()].map((o) => `${groupOf(o.apiVersion)}/${o.kind}`),
    );
    const inventory = synced.manifests.map((m) => m.object);
    for (const object of inventory.filter((o) => !applied.has(keyOf(o)))) {
      const { kind, metadata } = object;
      const [group, resource] = [groupOf(object.apiVersion), resourceOf(kind)];
      const held = rulesIn(grants, metadata.namespace);
      const at = `${name} prunes ${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name}`;
      const now = handedOver.get(keyOf(object));
      if (now) {
        if (now.metadata.annotations?.[PRUNE_DISABLED[0]] !== PRUNE_DISABLED[1]) {
          problems.push(`${at}: Flux's bootstrap file applies it without prune disabled`);
        }
        if (!allowsOn(held, group, resource, 'get', metadata.name)) {
          problems.push(`${at}: cannot get it by name, which its inventory lists`);
        }
      } else if (!CLUSTER_SCOPED.has(kind) && !handedOverKinds.has(`${group}/${kind}`)) {
        const lacking = ['get', 'delete'].filter((v) => !allowsOn(held, group, resource, v));
        if (lacking.length > 0) {
          problems.push(`${at}: cannot [${lacking.join(', ')}] ${group}/${resource}`);
        }
      }
    }
  }
  return [...new Set(problems)];
}

/**
 * The objects that a Flux unit's files hold and Flux's bootstrap file applies too, but that carry
 * no `kustomize.toolkit.fluxcd.io/prune: disabled` in the unit's files. A cluster whose bootstrap
 * predates the Kustomization's patches applies the unit's files as they are, annotation
 * included, with the unit's former identity: the annotation must already be on the live object
 * when a later bootstrap deletes the object from the unit's build, or the unit prunes it.
 */
export function unannotatedHandOvers(manifests: readonly Manifest[]): string[] {
  const files = filesOf(manifests);
  return ofKind<KubeObject>(manifests, 'Kustomization').flatMap((unit) => {
    const synced = fluxSyncedFiles(files, manifests, unit);
    const bootstrapFile = manifests.find((m) => m.object === unit)!.file;
    const bootstrap = new Set(
      manifests.filter((m) => m.file === bootstrapFile).map((m) => keyOf(m.object)),
    );
    return manifests
      .filter((m) => synced?.files.includes(m.file) && bootstrap.has(keyOf(m.object)))
      .filter((m) => m.object.metadata.annotations?.[PRUNE_DISABLED[0]] !== PRUNE_DISABLED[1])
      .map(
        (m) =>
          `${unit.metadata.name}: ${m.file} holds ${m.object.kind} ${m.object.metadata.name} without prune disabled`,
      );
  });
}
