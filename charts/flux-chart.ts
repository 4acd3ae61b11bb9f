import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { GitRepository } from '../imports/flux-gitrepository-source.toolkit.fluxcd.io.js';
import {
  Kustomization,
  KustomizationSpecSourceRefKind,
} from '../imports/flux-kustomization-kustomize.toolkit.fluxcd.io.js';
import { checkDnsLabel } from './constructs/props.js';
import {
  checkGitOpsSource,
  unitObjectName,
  type GitOpsSource,
  type GitOpsUnit,
} from './gitops-units.js';

/** The namespace Flux runs in unless told otherwise. */
export const FLUX_NAMESPACE = 'flux-system';

/** The ServiceAccount {@link FluxChart} creates for a `namespace` unit to be applied as. */
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
}

/**
 * Per GitOps unit, a Flux GitRepository and a Kustomization.
 *
 * Flux builds a kustomization of every manifest under a Kustomization's path, sub-folders
 * included, and cannot pick files; so each unit's GitRepository fetches only that unit's files
 * (its `ignore` rules drop everything else, the GitOps folder included). A unit of scope
 * `namespace` is applied as a ServiceAccount of its own, created here, which the Role that the
 * cluster unit creates in the application's namespace allows to manage exactly the unit's kinds.
 */
export class FluxChart extends Chart {
  constructor(scope: Construct, id: string, props: FluxChartProps) {
    const fluxNamespace = props.fluxNamespace ?? FLUX_NAMESPACE;
    super(scope, id, { namespace: fluxNamespace, disableResourceNameHashes: true });
    const owner = `FluxChart "${id}"`;
    checkDnsLabel(owner, 'fluxNamespace', fluxNamespace);
    checkGitOpsSource(owner, props);
    const { repoUrl: url, branch, path } = props;

    for (const unit of props.units) {
      const name = unitObjectName(props, unit);
      const source = new GitRepository(this, `${unit.name}-source`, {
        metadata: { name },
        spec: {
          url,
          ref: { branch },
          interval: '5m',
          ignore: fluxIgnoreRules(path, unit),
        },
      });
      let serviceAccountName: string | undefined;
      if (unit.scope === 'namespace') {
        serviceAccountName = fluxServiceAccount(props, unit, fluxNamespace).name;
        new kplus.ServiceAccount(this, `${unit.name}-identity`, {
          metadata: { name: serviceAccountName },
          automountToken: false,
        });
      }
      new Kustomization(this, `${unit.name}-sync`, {
        metadata: { name },
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
          ...(serviceAccountName ? { serviceAccountName } : {}),
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
}

/**
 * .gitignore rules that keep exactly a unit's paths under `path`: drop everything, then, for each
 * folder down to the output folder, bring it back and drop everything in it (git cannot bring
 * back a file whose parent folder is dropped), then bring back the unit's files or folder.
 */
export function fluxIgnoreRules(path: string, unit: GitOpsUnit): string {
  const folders = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  return (
    [
      '/*',
      ...folders.flatMap((folder) => [`!/${folder}/`, `/${folder}/*`]),
      ...unit.paths.map((p) => `!/${path}/${p}`),
    ].join('\n') + '\n'
  );
}
