import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Application } from '../imports/argocd-application-argoproj.io.js';
import { checkDnsLabel, failProp } from './constructs/props.js';
import { GITOPS_FOLDER } from './layout.js';

/** Props of {@link ArgoCdChart}. */
export interface ArgoCdChartProps {
  /** Git repository holding the synthesized manifests. @default 'https://github.com/aviary-dev/aviary' */
  readonly repoUrl?: string;
  /** @default 'main' */
  readonly branch?: string;
  /** Folder of the synthesized manifests in the repository. @default 'dist' */
  readonly path?: string;
  /** Namespace Argo CD runs in and watches for Applications. @default 'argocd' */
  readonly argoNamespace?: string;
  /** Default namespace of the synced objects. @default 'aviary' */
  readonly destinationNamespace?: string;
  /** @default 'default' */
  readonly project?: string;
}

/**
 * The Argo CD Application that keeps the cluster equal to the synthesized folder: recursive, so
 * the monitoring sub-folder is synced too, but never the GitOps sub-folder that holds this
 * Application, which would otherwise manage (and could prune) itself.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps = {}) {
    const argoNamespace = props.argoNamespace ?? 'argocd';
    super(scope, id, { namespace: argoNamespace, disableResourceNameHashes: true });
    const owner = `ArgoCdChart "${id}"`;
    checkDnsLabel(owner, 'argoNamespace', argoNamespace);
    const repoUrl = props.repoUrl ?? 'https://github.com/aviary-dev/aviary';
    if (!/^(https|ssh):\/\/\S+$/.test(repoUrl)) {
      failProp(owner, 'repoUrl', repoUrl, 'use an https:// or ssh:// URL');
    }
    const path = props.path ?? 'dist';
    if (path.startsWith('/') || path.startsWith('.') || path.endsWith('/')) {
      failProp(owner, 'path', path, 'use a folder relative to the repository root, e.g. "dist"');
    }

    new Application(this, 'Application', {
      metadata: { name: 'aviary' },
      spec: {
        project: props.project ?? 'default',
        source: {
          repoUrl,
          targetRevision: props.branch ?? 'main',
          path,
          directory: { recurse: true, exclude: `${GITOPS_FOLDER}/**` },
        },
        destination: {
          server: 'https://kubernetes.default.svc',
          namespace: props.destinationNamespace ?? 'aviary',
        },
        syncPolicy: {
          // Objects deleted from Git are deleted from the cluster; hand edits are reverted.
          automated: { prune: true, selfHeal: true },
        },
      },
    });
  }
}
