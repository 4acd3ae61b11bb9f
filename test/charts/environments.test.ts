/**
 * Every environment of charts/environments.ts, as committed: the checks the other chart tests run
 * on dist/ (which hold their broken-copy cases), run on each render; what each takes from its
 * environment; and two environments applied to one cluster.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../../charts/environments.js';
import { imageRefs } from '../../charts/image-refs.js';
import { crossReferenceProblems } from './support/cross-references.js';
import { sharedObjectProblems, type Render } from './support/environments.js';
import { gitopsIdentityProblems } from './support/gitops-identity.js';
import type {
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  KubeObject,
} from '../support/k8s-types.js';
import { filesLeftToKubectl, gitopsProblems, layoutProblems } from './support/layout.js';
import { listFiles, loadManifests, mutate, ofKind } from '../support/manifests.js';
import { scrapeAccessProblems } from './support/network.js';
import { policyProblems } from './support/policy.js';
import { KUBERNETES_VERSIONS, SchemaValidators } from './support/schemas.js';
import { REPO_ROOT, runSynth } from '../support/synth.js';

const validators = new SchemaValidators();

const renders = Object.entries(environments).map(([name, environment]) => {
  const dir = path.join(REPO_ROOT, environment.gitops.path);
  return { name, environment, dir, files: listFiles(dir), manifests: loadManifests(dir) };
});

describe.each(renders)('the $name environment, in $dir', ({ environment, files, manifests }) => {
  it('holds built-in kinds at the top, its layers in sub-folders, nothing empty', () => {
    expect(layoutProblems(files, manifests, validators)).toEqual([]);
  });

  it('is synced whole by its GitOps units, which never sync their own folder', () => {
    const leftOut = filesLeftToKubectl(environment, files);
    expect(leftOut).not.toEqual([]);
    expect(gitopsProblems(files, manifests, environment.gitops.path, leftOut)).toEqual([]);
  });

  it('applies each unit as an identity allowed exactly its kinds', () => {
    expect(gitopsIdentityProblems(files, manifests, environment.gitops.path)).toEqual([]);
  });

  it('meets every policy and has no dangling reference', () => {
    expect(policyProblems(manifests)).toEqual([]);
    expect(crossReferenceProblems(manifests)).toEqual([]);
    expect(scrapeAccessProblems(manifests, environment.monitoringNamespace)).toEqual([]);
  });

  it.each(KUBERNETES_VERSIONS)(
    'validates strictly against Kubernetes %s and the CRDs',
    (version) => {
      expect(validators.problems(manifests, version)).toEqual([]);
    },
    120_000,
  );

  it('takes its namespace, host, images and replicas from its environment', () => {
    const namespaces = new Set(
      manifests
        .filter((m) => !m.file.startsWith('gitops/'))
        .flatMap((m) => (m.object.metadata.namespace ? [m.object.metadata.namespace] : [])),
    );
    expect([...namespaces]).toEqual([environment.namespace]);
    expect(ofKind<Ingress>(manifests, 'Ingress').flatMap((i) => i.spec.rules ?? [])).toEqual([
      expect.objectContaining({ host: environment.hostname }),
    ]);
    const images = ofKind<Deployment>(manifests, 'Deployment').map(
      (d) => d.spec.template.spec.containers[0]!.image,
    );
    const refs = Object.values(imageRefs(environment)).map((image) => image.ref);
    expect(images.sort()).toEqual(refs.sort());
    for (const hpa of ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler')) {
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([
        environment.replicas.min,
        environment.replicas.max,
      ]);
    }
  });

  it('names every GitOps object after its environment, or keeps it in its namespace', () => {
    const gitops = manifests.filter((m) => m.file.startsWith('gitops/'));
    expect(gitops.length).toBeGreaterThan(0);
    for (const { object } of gitops) {
      // Flux's bootstrap creates the environment's Namespace, and the platform identity's Role
      // and RoleBinding in it, before the platform unit applies the rest.
      if (object.kind === 'Namespace') expect(object.metadata.name).toBe(environment.namespace);
      else if (object.metadata.namespace !== environment.namespace) {
        expect(object.metadata.name).toMatch(new RegExp(`^${environment.gitops.namePrefix}-`));
      }
    }
  });
});

describe('two environments on one cluster', () => {
  const pairs = renders.flatMap((a, i) => renders.slice(i + 1).map((b) => [a, b] as const));

  it.each(pairs.map(([a, b]) => [a.name, b.name, a, b] as const))(
    '%s and %s share no object on the cluster',
    (_a, _b, a, b) => {
      expect(sharedObjectProblems(a, b)).toEqual([]);
    },
  );

  const [first, second] = renders as unknown as [Render & { name: string }, Render];
  it('reports a GitOps object both name alike', () => {
    const gitops = second.manifests.find((m) => m.object.kind === 'Kustomization')!;
    const clash = mutate<KubeObject>(
      second.manifests,
      'Kustomization',
      gitops.object.metadata.name,
      (k) => {
        k.metadata.name = first.manifests.find(
          (m) => m.object.kind === 'Kustomization',
        )!.object.metadata.name;
      },
    );
    expect(sharedObjectProblems(first, { ...second, manifests: clash })).toEqual([
      expect.stringMatching(/a GitOps object with one name in both$/),
    ]);
  });

  it('reports a cluster-scoped object both apply, even written alike', () => {
    const ours = first.manifests.find((m) => m.object.kind === 'PriorityClass')!.object;
    const theirs = second.manifests.find((m) => m.object.kind === 'PriorityClass')!.object;
    const same = mutate<KubeObject>(
      second.manifests,
      'PriorityClass',
      theirs.metadata.name,
      (p) => {
        Object.assign(p, structuredClone(ours));
      },
    );
    expect(sharedObjectProblems(first, { ...second, manifests: same })).toEqual([
      expect.stringMatching(/^PriorityClass .*: one object on the cluster, applied by both$/),
    ]);
  });
});

describe('npm run synth', () => {
  const others = renders.filter(({ dir }) => dir !== path.join(REPO_ROOT, 'dist'));
  const outdirs = new Map<string, string>();
  const contents = (dir: string) =>
    Object.fromEntries(
      listFiles(dir).map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]),
    );

  beforeAll(async () => {
    // The production render (dist/) is compared by layout.test.ts, through the cdk8s CLI's command.
    const env = { ...process.env, CDK8S_OUTDIR: undefined };
    for (const { name } of others) {
      const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'aviary-synth-')), name);
      await runSynth(['--output', outdir], { ...env, AVIARY_ENV: name });
      outdirs.set(name, outdir);
    }
  }, 120_000);

  it.each(others.map((r) => [r.name, r] as const))(
    'renders %s byte for byte as committed (run `npm run synth` after changing charts/)',
    (name, { dir }) => {
      expect(contents(dir)).toEqual(contents(outdirs.get(name)!));
    },
  );
});
