import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AppProject } from '../imports/argocd-appproject-argoproj.io.js';
import { Application } from '../imports/argocd-application-argoproj.io.js';
import { checkDnsLabel } from './constructs/props.js';
import {
  checkGitOpsSource,
  unitFolder,
  unitObjectName,
  type GitOpsSource,
  type GitOpsUnit,
} from './gitops-units.js';

/** Props of {@link ArgoCdChart}: the source of the manifests, and what to sync from it. */
export interface ArgoCdChartProps extends GitOpsSource {
  /** The units to sync, each as its own Application in its own AppProject. */
  readonly units: readonly GitOpsUnit[];
  /** Namespace Argo CD runs in and watches for Applications. @default 'argocd' */
  readonly argoNamespace?: string;
  /** The namespace every synced namespaced object lives in: the environment's `namespace`. */
  readonly destinationNamespace: string;
}

const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * One Argo CD Application per GitOps unit, each in an AppProject that admits only this
 * repository, only the application's namespace, and only the kinds the unit holds: a unit can
 * neither create nor delete anything else, and a unit that fails (the monitoring CRDs are
 * missing) leaves the others synced. Failed syncs are retried with backoff, without end, so a
 * unit whose prerequisites arrive later (the Namespace, the CRDs) syncs then. Fields another
 * controller writes ({@link GitOpsUnit.controllerFields}) are ignored in the diff and kept on
 * sync. None of them syncs the GitOps folder holding these objects.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    const argoNamespace = props.argoNamespace ?? 'argocd';
    super(scope, id, { namespace: argoNamespace, disableResourceNameHashes: true });
    const owner = `ArgoCdChart "${id}"`;
    checkDnsLabel(owner, 'argoNamespace', argoNamespace);
    checkGitOpsSource(owner, props);
    const { repoUrl, branch, path } = props;
    const namespace = props.destinationNamespace;

    for (const unit of props.units) {
      const name = unitObjectName(props, unit);
      new AppProject(this, `${unit.name}-project`, {
        metadata: { name },
        spec: {
          description: `Aviary's ${unit.name} unit: ${unit.paths.join(', ')} of ${path}`,
          sourceRepos: [repoUrl],
          destinations: [{ server: IN_CLUSTER, namespace }],
          // An empty whitelist admits no cluster-scoped kind at all.
          clusterResourceWhitelist: unit.clusterKinds.map(({ group, kind }) => ({ group, kind })),
          namespaceResourceWhitelist: unit.kinds.map(({ group, kind }) => ({ group, kind })),
        },
      });
      const folder = unitFolder(unit);
      new Application(this, unit.name, {
        metadata: { name },
        spec: {
          project: name,
          source: {
            repoUrl,
            targetRevision: branch,
            // A folder unit reads its folder; a unit of files reads only the top level of the
            // output (no recursion), where the include globs pick its files.
            ...(folder
              ? { path: `${path}/${folder}`, directory: { recurse: true } }
              : { path, directory: { recurse: false, include: globList(unit.paths) } }),
          },
          destination: { server: IN_CLUSTER, namespace },
          ...(unit.controllerFields.length > 0
            ? {
                ignoreDifferences: unit.controllerFields.map(
                  ({ group, kind, name, jsonPointer }) => ({
                    group,
                    kind,
                    name,
                    jsonPointers: [jsonPointer],
                  }),
                ),
              }
            : {}),
          syncPolicy: {
            // Objects deleted from Git are deleted from the cluster (except those annotated
            // Prune=false); hand edits are reverted.
            automated: { prune: true, selfHeal: true },
            retry: {
              // Negative: retry until it works, e.g. once the CRDs of the monitoring stack exist.
              limit: -1,
              backoff: { duration: '30s', factor: 2, maxDuration: '10m' },
            },
            // A sync keeps the live value of the fields other controllers write: without it,
            // applying a changed object would reset them too.
            ...(unit.controllerFields.length > 0
              ? { syncOptions: ['RespectIgnoreDifferences=true'] }
              : {}),
          },
        },
      });
    }
  }
}

/** Argo CD's glob for "any of these": `{a,b}`, or the one pattern itself. */
function globList(patterns: readonly string[]): string {
  return patterns.length === 1 ? patterns[0]! : `{${patterns.join(',')}}`;
}
