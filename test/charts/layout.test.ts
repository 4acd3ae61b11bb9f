import { exec } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { production } from '../../charts/environments.js';
import type { KubeObject } from '../support/k8s-types.js';
import {
  GITOPS_DIR,
  argoGlob,
  filesLeftToKubectl,
  gitIgnored,
  gitopsProblems,
  layoutProblems,
} from './support/layout.js';
import { DIST, listFiles, loadManifests, mutate, type Manifest } from '../support/manifests.js';
import { SchemaValidators } from './support/schemas.js';

const ROOT = path.resolve(DIST, '..');
const files = listFiles();
const manifests = loadManifests();
const validators = new SchemaValidators();
const leftToKubectl = filesLeftToKubectl(production, files);

describe('dist/ works with kubectl apply -f dist', () => {
  it('holds built-in kinds at the top, Namespace and PriorityClass first, nothing empty', () => {
    expect(layoutProblems(files, manifests, validators)).toEqual([]);
  });

  it('starts with the platform objects and the Namespace', () => {
    const topLevel = files.filter((file) => !file.includes('/'));
    expect(topLevel).toEqual([
      '0000-platform.k8s.yaml',
      '0001-namespace.k8s.yaml',
      '0002-services.k8s.yaml',
      '0003-synthetic-check.k8s.yaml',
      '0004-autoscaling.k8s.yaml',
    ]);
    expect(manifests.find((m) => m.file === topLevel[0])?.object.kind).toBe('Namespace');
  });

  const cases: [string, () => [string[], Manifest[]], RegExp][] = [
    [
      'a CRD kind at the top level',
      () => [
        files,
        manifests.map((m) =>
          m.file.startsWith(`${GITOPS_DIR}/argocd`) ? { ...m, file: '0003-argocd.k8s.yaml' } : m,
        ),
      ],
      /Application argocd\/aviary-services .*: argoproj.io\/v1alpha1 Application is not built into Kubernetes v1.27.0/,
    ],
    [
      'a kustomization file',
      () => [[...files, 'kustomization.yaml'], manifests],
      /kustomization.yaml: kustomization files break kubectl apply/,
    ],
    [
      'an empty file',
      () => [[...files, 'monitoring/empty.k8s.yaml'], manifests],
      /monitoring\/empty.k8s.yaml: holds no object/,
    ],
    [
      'services applied before their Namespace',
      () => [
        files,
        manifests.map((m) =>
          m.file === '0002-services.k8s.yaml' ? { ...m, file: '0000-a.k8s.yaml' } : m,
        ),
      ],
      /ServiceAccount aviary\/bird-image .*: applied before Namespace aviary/,
    ],
    [
      'a kind removed from newer Kubernetes',
      () => [
        files,
        mutate<KubeObject>(
          manifests,
          'HorizontalPodAutoscaler',
          'bird',
          (h) => (h.apiVersion = 'autoscaling/v2beta2'),
        ),
      ],
      /autoscaling\/v2beta2 HorizontalPodAutoscaler is not built into Kubernetes v1.36.0/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    const [brokenFiles, brokenManifests] = broken();
    expect(layoutProblems(brokenFiles, brokenManifests, validators)).toContainEqual(
      expect.stringMatching(expected),
    );
  });
});

describe('GitOps objects sync dist/ and never their own folder', () => {
  it('sync everything but gitops/ and the layer left to kubectl, with pruning', () => {
    expect(gitopsProblems(files, manifests, 'dist', leftToKubectl)).toEqual([]);
  });

  it('match globs and ignore rules the way Argo CD and Flux do', () => {
    expect(argoGlob('gitops/**').test('gitops/argocd.k8s.yaml')).toBe(true);
    expect(argoGlob('gitops/*').test('gitops/sub/x.yaml')).toBe(false);
    expect(argoGlob('{a,b}/*.yaml').test('b/x.yaml')).toBe(true);
    const rules = '/*\n!/dist/\n/dist/gitops/\n';
    expect(gitIgnored(rules, 'dist/0000-platform.k8s.yaml')).toBe(false);
    expect(gitIgnored(rules, 'dist/monitoring/rules.k8s.yaml')).toBe(false);
    expect(gitIgnored(rules, 'dist/gitops/flux.k8s.yaml')).toBe(true);
    expect(gitIgnored(rules, 'charts/main.ts')).toBe(true);
    expect(gitIgnored('/dist/\n!/dist/gitops/x.yaml\n', 'dist/gitops/x.yaml')).toBe(true);
    // A unit's rules: everything in dist/ dropped, its files or folder brought back.
    const unit = '/*\n!/dist/\n/dist/*\n!/dist/*-services.k8s.yaml\n!/dist/monitoring/\n';
    expect(gitIgnored(unit, 'dist/0002-services.k8s.yaml')).toBe(false);
    expect(gitIgnored(unit, 'dist/0001-namespace.k8s.yaml')).toBe(true);
    expect(gitIgnored(unit, 'dist/monitoring/monitoring.k8s.yaml')).toBe(false);
    expect(gitIgnored(unit, 'dist/gitops/flux.k8s.yaml')).toBe(true);
  });

  interface Application extends KubeObject {
    spec: { source: { path: string; directory: { recurse?: boolean; include?: string } } };
  }
  interface FluxObject extends KubeObject {
    spec: { ignore?: string; prune?: boolean };
  }
  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'an Argo CD Application that syncs its own folder',
      () =>
        mutate<Application>(manifests, 'Application', 'aviary-services', (a) => {
          a.spec.source.directory = { recurse: true };
        }),
      /Application aviary-services: syncs gitops\/argocd.k8s.yaml/,
    ],
    [
      'two Argo CD Applications syncing the same file',
      () =>
        mutate<Application>(manifests, 'Application', 'aviary-services', (a) => {
          a.spec.source.directory.include = '*.k8s.yaml';
        }),
      /Argo CD: Application aviary-platform and Application aviary-services all sync 0000-platform.k8s.yaml/,
    ],
    [
      // Production syncs the rollouts layer: its autoscalers share the names of these.
      "an Argo CD Application syncing the Deployments' autoscalers beside the rollouts layer",
      () =>
        mutate<Application>(manifests, 'Application', 'aviary-services', (a) => {
          a.spec.source.directory.include = '{*-services,*-synthetic-check,*-autoscaling}.k8s.yaml';
        }),
      /Application aviary-services: syncs 0004-autoscaling.k8s.yaml/,
    ],
    [
      'a monitoring file no Argo CD Application reads',
      () =>
        mutate<Application>(manifests, 'Application', 'aviary-monitoring', (a) => {
          a.spec.source.path = 'dist';
          a.spec.source.directory = { recurse: false };
        }),
      /Argo CD: no unit syncs monitoring\/monitoring.k8s.yaml/,
    ],
    [
      'a Flux source that fetches its own folder',
      () =>
        mutate<FluxObject>(manifests, 'GitRepository', 'aviary-monitoring', (g) => {
          g.spec.ignore = '/*\n!/dist/\n/dist/*.yaml\n';
        }),
      /Kustomization aviary-monitoring: syncs gitops\/flux.k8s.yaml/,
    ],
    [
      'a Flux Kustomization without pruning',
      () =>
        mutate<FluxObject>(manifests, 'Kustomization', 'aviary-services', (k) => {
          k.spec.prune = false;
        }),
      /Kustomization aviary-services: prune is not enabled/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    const brokenManifests = broken();
    const brokenFiles = [...new Set([...files, ...brokenManifests.map((m) => m.file)])].sort();
    expect(gitopsProblems(brokenFiles, brokenManifests, 'dist', leftToKubectl)).toContainEqual(
      expect.stringMatching(expected),
    );
  });
});

describe('synthesis', () => {
  const outdirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'aviary-synth-')));

  beforeAll(async () => {
    // Exactly what `cdk8s synth` runs: the app command of cdk8s.yaml, twice, into fresh folders.
    const { app } = parse(readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string };
    const env = { ...process.env, AVIARY_ENV: undefined };
    await Promise.all(
      outdirs.map((outdir) =>
        promisify(exec)(app, { cwd: ROOT, env: { ...env, CDK8S_OUTDIR: outdir } }),
      ),
    );
  }, 60_000);

  afterAll(() => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });

  const contents = (dir: string) =>
    Object.fromEntries(
      listFiles(dir).map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]),
    );

  it('is deterministic: same input, same bytes', () => {
    expect(contents(outdirs[1]!)).toEqual(contents(outdirs[0]!));
  });

  it('matches the committed dist/ byte for byte (run `npm run synth` after changing charts/)', () => {
    expect(contents(DIST)).toEqual(contents(outdirs[0]!));
  });
});
