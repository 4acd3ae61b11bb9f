import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { GitRepository } from '../imports/flux-gitrepository-source.toolkit.fluxcd.io.js';
import {
  Kustomization,
  KustomizationSpecSourceRefKind,
} from '../imports/flux-kustomization-kustomize.toolkit.fluxcd.io.js';
import { checkDnsLabel, failProp } from './constructs/props.js';
import { GITOPS_FOLDER } from './layout.js';

/** Props of {@link FluxChart}. */
export interface FluxChartProps {
  /** Git repository holding the synthesized manifests. @default 'https://github.com/aviary-dev/aviary' */
  readonly repoUrl?: string;
  /** @default 'main' */
  readonly branch?: string;
  /** Folder of the synthesized manifests in the repository. @default 'dist' */
  readonly path?: string;
  /** Namespace Flux runs in. @default 'flux-system' */
  readonly fluxNamespace?: string;
}

/**
 * A Flux GitRepository and Kustomization that keep the cluster equal to the synthesized folder.
 *
 * Flux builds a kustomization of every manifest under the path, sub-folders included, so the
 * source itself must leave out the GitOps sub-folder: the ignore rules fetch only the manifest
 * folder, minus the objects in this chart.
 */
export class FluxChart extends Chart {
  constructor(scope: Construct, id: string, props: FluxChartProps = {}) {
    const fluxNamespace = props.fluxNamespace ?? 'flux-system';
    super(scope, id, { namespace: fluxNamespace, disableResourceNameHashes: true });
    const owner = `FluxChart "${id}"`;
    checkDnsLabel(owner, 'fluxNamespace', fluxNamespace);
    const url = props.repoUrl ?? 'https://github.com/aviary-dev/aviary';
    if (!/^(https|ssh):\/\/\S+$/.test(url)) {
      failProp(owner, 'repoUrl', url, 'use an https:// or ssh:// URL');
    }
    const path = props.path ?? 'dist';
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(path) || path.startsWith('.')) {
      failProp(owner, 'path', path, 'use a folder relative to the repository root, e.g. "dist"');
    }

    const source = new GitRepository(this, 'Source', {
      metadata: { name: 'aviary' },
      spec: {
        url,
        ref: { branch: props.branch ?? 'main' },
        interval: '5m',
        // .gitignore syntax: drop everything, bring back the manifests, drop the bootstrap.
        ignore: ['/*', `!/${path}/`, `/${path}/${GITOPS_FOLDER}/`].join('\n') + '\n',
      },
    });
    new Kustomization(this, 'Sync', {
      metadata: { name: 'aviary' },
      spec: {
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: source.name },
        path: `./${path}`,
        // Objects deleted from Git are deleted from the cluster.
        prune: true,
        interval: '10m',
        retryInterval: '2m',
        timeout: '5m',
        wait: true,
      },
    });
  }
}
