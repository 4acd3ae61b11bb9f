import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { GitRepository } from '../imports/flux-gitrepository-source.toolkit.fluxcd.io.js';
import {
  Kustomization,
  type KustomizationSpecPatches,
  KustomizationSpecSourceRefKind,
} from '../imports/flux-kustomization-kustomize.toolkit.fluxcd.io.js';
import { DeployerRole } from './constructs/deployer-role.js';
import { NamedObjectsRole } from './constructs/named-objects-role.js';
import { checkDnsLabel, failProp } from './constructs/props.js';
import {
  checkGitOpsSource,
  unitObjectName,
  deletedKindKey,
  type GitOpsSource,
  type GitOpsUnit,
  type ObjectReference,
} from './gitops-units.js';

/** The namespace Flux runs in unless told otherwise. */
export const FLUX_NAMESPACE = 'flux-system';

/** The ServiceAccount {@link FluxChart} creates for a unit to be applied as. */
export function fluxServiceAccount(
  source: Pick<GitOpsSource, 'namePrefix'>,
  unit: Pick<GitOpsUnit, 'name'>,
  fluxNamespace = FLUX_NAMESPACE,
): { name: string; namespace: string } {
  return { name: unitObjectName(source, unit), namespace: fluxNamespace };
}

/** Props of {@link FluxChart}: the source of the manifests, and what to sync from it. */
export interface FluxChartProps extends GitOpsSource {
  /** The units to sync, each from its own GitRepository by its own Kustomization. */
  readonly units: readonly GitOpsUnit[];
  /** Namespace Flux runs in. @default {@link FLUX_NAMESPACE} */
  readonly fluxNamespace?: string;
  /** The application's namespace, where the units' namespaced objects live. */
  readonly destinationNamespace: string;
}

/** The Role and RoleBinding of a `cluster` unit's identity in the application's namespace. */
export const PLATFORM_ROLE = 'gitops-platform';

/**
 * Per GitOps unit, a Flux GitRepository and a Kustomization.
 *
 * Flux builds a kustomization of every manifest under a Kustomization's path, sub-folders
 * included, and cannot pick files; so each unit's GitRepository fetches only that unit's files
 * (its `ignore` rules drop everything else, the GitOps folder included). Every unit is applied as
 * a ServiceAccount of its own, created here, never as kustomize-controller's cluster-admin one.
 * A unit of scope `namespace` is allowed exactly its kinds by a Role in the application's
 * namespace. Those Roles, the cluster unit's rights, and what the cluster unit's identity must
 * not write are all created here, in the file a cluster admin applies: the unit's
 * {@link GitOpsUnit.bootstrap} (the Namespace, PriorityClass and StorageClass, the ResourceQuota
 * and LimitRange, the units' Roles and RoleBindings), which its identity may then only get
 * ({@link FluxChart.allowClusterUnit}). Those of them that stay in the unit's own files (for
 * Argo CD and `kubectl apply -f`) its Kustomization deletes from its build ({@link deletePatches}).
 *
 * The chart has no namespace: cdk8s would write it on the cluster-scoped objects, so each
 * namespaced object names its own.
 */
export class FluxChart extends Chart {
  constructor(scope: Construct, id: string, props: FluxChartProps) {
    const fluxNamespace = props.fluxNamespace ?? FLUX_NAMESPACE;
    super(scope, id, { disableResourceNameHashes: true });
    const owner = `FluxChart "${id}"`;
    checkDnsLabel(owner, 'fluxNamespace', fluxNamespace);
    checkGitOpsSource(owner, props);
    checkDestination(owner, props, fluxNamespace);
    const { repoUrl: url, branch, path } = props;

    for (const unit of props.units) {
      const name = unitObjectName(props, unit);
      const metadata = { name, namespace: fluxNamespace };
      const source = new GitRepository(this, `${unit.name}-source`, {
        metadata,
        spec: {
          url,
          ref: { branch },
          interval: '5m',
          ignore: fluxIgnoreRules(path, fluxPaths(unit)),
        },
      });
      const serviceAccount = fluxServiceAccount(props, unit, fluxNamespace);
      new kplus.ServiceAccount(this, `${unit.name}-identity`, {
        metadata: serviceAccount,
        automountToken: false,
      });
      for (const manifest of unit.bootstrap.manifests) {
        new ApiObject(this, `${unit.name}-${manifest.kind}-${manifest.metadata.name}`, manifest);
      }
      if (unit.scope === 'cluster') {
        this.allowClusterUnit(unit, serviceAccount, props.destinationNamespace);
      }
      new Kustomization(this, `${unit.name}-sync`, {
        metadata,
        spec: {
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: source.name },
          path: `./${path}`,
          ...(unit.dependsOn?.length
            ? {
                dependsOn: unit.dependsOn.map((other) => ({
                  name: unitObjectName(props, { name: other }),
                })),
              }
            : {}),
          serviceAccountName: serviceAccount.name,
          ...(unit.bootstrap.deletedFromBuild.length
            ? { patches: deletePatches(unit.bootstrap.deletedFromBuild) }
            : {}),
          // Objects deleted from Git are deleted from the cluster, except those annotated
          // `kustomize.toolkit.fluxcd.io/prune: disabled`.
          prune: true,
          interval: '10m',
          // A failed apply (missing CRDs, a Namespace not there yet) is retried every minute.
          retryInterval: '1m',
          timeout: '5m',
          wait: unit.waitForHealth,
        },
      });
    }
  }

  /**
   * The rights of a `cluster` unit's identity, split so that nothing reaches past the
   * application's namespace:
   * - in that namespace only, a Role {@link PLATFORM_ROLE} managing the kinds Flux's unit applies
   *   (NetworkPolicies) and getting its bootstrap's namespaced objects by name; no rule writes a
   *   Role or RoleBinding, so it can bind no subject to anything, and none lets it create a pod or
   *   touch the quota that bounds them;
   * - cluster-wide, a ClusterRole named like the identity on the unit's cluster-scoped objects by
   *   name, and `get` only on those of its bootstrap.
   * The `get`s are on the names its inventory held before this file applied them, which Flux gets
   * once before dropping them as prune-disabled. A change to a rule of a unit's Role therefore
   * takes effect once a cluster admin has applied this file again (docs/deploying.md, "GitOps").
   */
  private allowClusterUnit(
    unit: GitOpsUnit,
    serviceAccount: { name: string; namespace: string },
    namespace: string,
  ): void {
    new NamedObjectsRole(this, `${unit.name}-cluster-rights`, {
      name: serviceAccount.name,
      objects: unit.clusterObjects,
      gets: unit.bootstrap.clusterObjects,
      serviceAccount,
    });
    new DeployerRole(this, `${unit.name}-rights`, {
      name: PLATFORM_ROLE,
      namespace,
      kinds: unit.fluxKinds,
      reads: unit.healthCheckReads,
      prunes: unit.retiredKinds,
      gets: unit.bootstrap.namespacedObjects,
      serviceAccount,
    });
  }
}

/**
 * The platform identity manages NetworkPolicies in the application's namespace, and the units'
 * identities their kinds: in Flux's namespace that would be cutting the controllers off or
 * minting a controller's token, in a `kube-` one the cluster's own, in another environment's
 * taking it over. So the namespace must be the environment's own: `namePrefix` or
 * `<namePrefix>-…`, which no other environment's prefix names (two environments never share a
 * prefix: their GitOps objects would clash).
 */
function checkDestination(
  owner: string,
  props: Pick<FluxChartProps, 'destinationNamespace' | 'namePrefix'>,
  fluxNamespace: string,
): void {
  const { destinationNamespace: namespace, namePrefix } = props;
  checkDnsLabel(owner, 'destinationNamespace', namespace);
  const own = namespace === namePrefix || namespace.startsWith(`${namePrefix}-`);
  if (!own || namespace === fluxNamespace || namespace.startsWith('kube-')) {
    failProp(
      owner,
      'destinationNamespace',
      namespace,
      `use a namespace of the application's own, named "${namePrefix}" or "${namePrefix}-…", not "${fluxNamespace}" or a "kube-" one`,
    );
  }
}

/** The name a targeted delete patch carries: kustomize replaces it with each selected object's. */
const ANY_NAME = 'each-selected-object';

/**
 * The patches of a Kustomization's `spec.patches` that delete `objects` from the unit's build (a
 * strategic merge patch `$patch: delete`), so the unit's identity never applies them and, once
 * they are prune-disabled, never deletes them. One patch per API version, kind and namespace,
 * whose target names no object: it deletes every object of that kind in that namespace, so one
 * renamed or added (a switch of `progressiveDelivery` renames a GitOps identity's Role, a commit
 * can add one) never reaches the identity, which may not write it, and never blocks the unit.
 * fluxcd/pkg kustomize v1.35.4 (kustomize-controller v1.9.4's) kustomize/kustomize_generator.go:
 * the controller's `generator.NewGenerator(workDir, obj).WriteFile(dirPath)`
 * (kustomization_controller.go:749) calls `GenerateManifest` (kustomize_generator.go:140), which
 * copies each patch and its target into the `patches` of the kustomization.yaml it builds.
 * kustomize applies a targeted patch to each object its target selects, the patch's name set to
 * the object's (api v0.21.1 PatchTransformer, Resource.ApplySmPatch), so the patch's own name
 * is a placeholder; the target's fields are regular expressions matching the whole value
 * (api/types/selector.go), and one that selects nothing is no error
 * (test/charts/kustomize.test.ts builds such renders).
 */
function deletePatches(objects: readonly ObjectReference[]): KustomizationSpecPatches[] {
  const kinds = new Map(objects.map((o) => [deletedKindKey(o), o]));
  return [...kinds.values()].map(({ apiVersion, kind, namespace }) => {
    const slash = apiVersion.lastIndexOf('/');
    return {
      patch: stringify({
        $patch: 'delete',
        apiVersion,
        kind,
        metadata: { name: ANY_NAME, namespace },
      }),
      target: {
        // None for the core group: kustomize reads no group as any, and the kind narrows it.
        group: slash < 0 ? undefined : escapeRegExp(apiVersion.slice(0, slash)),
        version: escapeRegExp(apiVersion.slice(slash + 1)),
        kind: escapeRegExp(kind),
        namespace: namespace && escapeRegExp(namespace),
      },
    };
  });
}

/** `text` as a regular expression that matches it literally. */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What Flux's unit syncs: its paths, but for those its bootstrap file applies. */
export function fluxPaths(unit: GitOpsUnit): readonly string[] {
  return unit.paths.filter((path) => !unit.bootstrap.paths.includes(path));
}

/**
 * .gitignore rules that keep exactly a unit's paths under `path`: drop everything, then, for each
 * folder down to the output folder, bring it back and drop everything in it (git cannot bring
 * back a file whose parent folder is dropped), then bring back the unit's files or folder.
 */
export function fluxIgnoreRules(path: string, paths: readonly string[]): string {
  const folders = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  return (
    [
      '/*',
      ...folders.flatMap((folder) => [`!/${folder}/`, `/${folder}/*`]),
      ...paths.map((p) => `!/${path}/${p}`),
    ].join('\n') + '\n'
  );
}
