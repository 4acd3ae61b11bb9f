/**
 * What the GitOps controllers build, through the real kustomize (`kubectl kustomize`; .ci/run
 * installs kubectl when missing): for each Flux Kustomization, the kustomization Flux generates
 * from every manifest its GitRepository's `ignore` lets through under its path, with the
 * Kustomization's `spec.patches` (fluxcd/pkg kustomize v1.35.4, kustomize-controller v1.9.4's,
 * kustomize/kustomize_generator.go `GenerateManifest` copies each patch and target into the
 * kustomization.yaml's `patches`); for each Argo CD Application, the files its directory source
 * reads. Each must build exactly the objects the tests' model of it holds (support/flux-build.ts,
 * support/layout.ts).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../support/k8s-types.js';
import { distHistory } from './support/dist-history.js';
import { fluxBuild } from './support/flux-build.js';
import { argoSyncedFiles, GITOPS_DIR } from './support/layout.js';
import { listFiles, loadManifests, ofKind, type Manifest } from '../support/manifests.js';
import { REPO_ROOT } from '../support/synth.js';

const run = promisify(execFile);
const files = listFiles();
const manifests = loadManifests();
const work = mkdtempSync(path.join(tmpdir(), 'aviary-kustomize-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Builds `synced` (files of `manifests`) as one kustomization with `kubectl kustomize`, with
 * `patches` as a Flux Kustomization's; returns the objects it emits.
 */
async function build(
  name: string,
  synced: readonly string[],
  patches: readonly unknown[] = [],
  from: readonly Manifest[] = manifests,
): Promise<KubeObject[]> {
  const root = path.join(work, name);
  for (const file of synced) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    const objects = from.filter((m) => m.file === file).map((m) => stringify(m.object));
    writeFileSync(path.join(root, file), objects.join('---\n'));
  }
  writeFileSync(
    path.join(root, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: synced,
      ...(patches.length > 0 ? { patches } : {}),
    }),
  );
  const { stdout } = await run('kubectl', ['kustomize', root], { maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as KubeObject);
}

/** The GitOps units of dist/gitops/, in the order they are written (charts/main.ts). */
const UNITS = [
  'aviary-platform',
  'aviary-services',
  'aviary-monitoring',
  'aviary-rollouts',
  'aviary-vpa',
];

/** An object's kind, namespace and name: what tells two objects of a build apart. */
const keyOf = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const keysOf = (objects: readonly KubeObject[]) => objects.map(keyOf).sort();
const patchesOf = (kustomization: KubeObject) =>
  (kustomization.spec as { patches?: unknown[] }).patches ?? [];

/** What a unit reads and builds, as the tests model it. */
interface Sync {
  readonly files: readonly string[];
  readonly patches: readonly unknown[];
  readonly objects: readonly KubeObject[];
}
const fluxSync = (k: KubeObject, from = manifests, fromFiles = files): Sync => {
  const built = fluxBuild(fromFiles, from, k)!;
  return { ...built, patches: patchesOf(k), objects: built.manifests.map((m) => m.object) };
};
const argoSync = (a: KubeObject): Sync => {
  const synced = argoSyncedFiles(files, a);
  const objects = manifests.filter((m) => synced.includes(m.file)).map((m) => m.object);
  return { files: synced, patches: [], objects };
};

// Each GitOps tool's objects, one per unit, and what each reads from the repository.
const syncSources: [string, string, string, (unit: KubeObject) => Sync][] = [
  ['Flux builds', 'Kustomization', 'flux', (k) => fluxSync(k)],
  ["Argo CD's directory sources read", 'Application', 'argo', argoSync],
];

describe.each(syncSources)('kubectl kustomize over what %s', (_, kind, tool, syncOf) => {
  const units = ofKind<KubeObject>(manifests, kind);
  it(`finds one ${kind} per unit`, () => expect(units.map((u) => u.metadata.name)).toEqual(UNITS));
  it.each(units.map((u) => [u.metadata.name, u] as const))(
    '%s builds',
    async (name, unit) => {
      const sync = syncOf(unit);
      expect(sync.files.length).toBeGreaterThan(0);
      const built = await build(`${tool}-${name}`, sync.files, sync.patches);
      expect(keysOf(built)).toEqual(keysOf(sync.objects));
    },
    30_000,
  );
});

/** Flux's platform Kustomization: the unit whose patches leave the handed-over objects out. */
const platform = ofKind<KubeObject>(manifests, 'Kustomization').find(
  (k) => k.metadata.name === 'aviary-platform',
)!;

describe("Flux's platform unit, through its Kustomization's patches", () => {
  const onlyNetworkPolicies = (objects: readonly KubeObject[]) => {
    expect(objects.length).toBeGreaterThan(0);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['NetworkPolicy']));
  };
  /** Builds `from` through today's patches: the NetworkPolicies only, as the tests model it. */
  const buildsNetworkPoliciesOnly = async (name: string, from: Manifest[], fromFiles = files) => {
    const sync = fluxSync(platform, from, fromFiles);
    const built = await build(name, sync.files, sync.patches, from);
    onlyNetworkPolicies(built);
    expect(keysOf(built)).toEqual(keysOf(sync.objects));
  };
  const slug = (label: string) => label.replaceAll(' ', '-');

  it('builds the NetworkPolicies only: its identity never writes the quota or a Role', async () => {
    const sync = fluxSync(platform);
    onlyNetworkPolicies(await build('platform-today', sync.files, sync.patches));
  });

  it('builds more when a patch is dropped', async () => {
    const sync = fluxSync(platform);
    const built = await build('platform-unpatched', sync.files, sync.patches.slice(1));
    expect(built.map((o) => o.kind)).toContain('ResourceQuota');
  });

  // The render of the other `progressiveDelivery` value (environments/local/'s) names the
  // rollouts or autoscaling identity's Role and RoleBinding otherwise; in the cluster, the
  // Kustomization's patches are those of the bootstrap last applied, so they must not depend
  // on which names the render holds. A hostile commit may add a Role of any name, too.
  const isRbac = (o: KubeObject) => o.kind === 'Role' || o.kind === 'RoleBinding';
  const platformFiles = fluxSync(platform).files;
  const platformFile = (from: readonly Manifest[]) =>
    from.filter((m) => platformFiles.includes(m.file));
  const rbacNames = (from: readonly Manifest[]) =>
    new Set(
      platformFile(from)
        .filter((m) => isRbac(m.object))
        .map((m) => m.object.metadata.name),
    );
  const otherNames = rbacNames(loadManifests(path.join(REPO_ROOT, 'environments/local')));
  const ownNames = rbacNames(manifests);
  const renamed = [...ownNames].filter((name) => !otherNames.has(name));
  const otherName = [...otherNames].find((name) => !ownNames.has(name))!;
  const switched = structuredClone(manifests).map((m) => {
    if (
      platformFiles.includes(m.file) &&
      isRbac(m.object) &&
      renamed.includes(m.object.metadata.name)
    ) {
      m.object.metadata.name = otherName;
    }
    return m;
  });
  const [quota] = platformFile(manifests).filter((m) => m.object.kind === 'ResourceQuota');
  const hostileRole = {
    file: quota!.file,
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'anything-goes', namespace: quota!.object.metadata.namespace },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    },
  } as Manifest;
  const renders: [string, Manifest[]][] = [
    ['the other progressiveDelivery value', switched],
    ['an extra Role', [...manifests, hostileRole]],
  ];
  it('renames one Role and its RoleBinding between the two progressiveDelivery values', () => {
    expect(renamed).toHaveLength(1);
    expect(otherName).toBeDefined();
  });
  it.each(renders)(
    'builds the NetworkPolicies only from a render with %s, as the tests model it',
    (label, from) => buildsNetworkPoliciesOnly(`platform-${slug(label)}`, from),
    30_000,
  );
  it('would build a Role from them, were its patches to name the objects they delete', async () => {
    const named = platformFile(manifests)
      .filter((m) => m.object.kind !== 'NetworkPolicy')
      .map(({ object }) => ({
        patch: stringify({
          $patch: 'delete',
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: object.metadata,
        }),
        target: {
          kind: object.kind,
          name: `^${object.metadata.name}$`,
          namespace: object.metadata.namespace,
        },
      }));
    for (const [label, from] of renders) {
      const sync = fluxSync(platform, from);
      const built = await build(`platform-named-${slug(label)}`, sync.files, named, from);
      expect(built.map((o) => o.kind)).toContain('Role');
    }
  }, 30_000);

  // Applied before the branch that added the patches is merged, the Kustomization builds the
  // render its GitRepository still tracks: the same objects, of the same names.
  const since = distHistory().filter(({ manifests: earlier }) =>
    earlier.some((m) => m.file.endsWith('-platform.k8s.yaml') && m.object.kind === 'Namespace'),
  );
  it.each(since.map((version) => [version.commit, version] as const))(
    'builds the NetworkPolicies only from the render of %s, as the tests model it',
    async (commit, { manifests: earlier }) => {
      const gitops = manifests.filter((m) => m.file.startsWith(`${GITOPS_DIR}/`));
      const from = [...earlier.filter((m) => !m.file.startsWith(`${GITOPS_DIR}/`)), ...gitops];
      await buildsNetworkPoliciesOnly(`platform-${commit}`, from, [
        ...new Set(from.map((m) => m.file)),
      ]);
    },
    30_000,
  );
});

describe("the tests' model of a Flux build", () => {
  const withPatches = (change: (patches: { target?: Record<string, string> }[]) => void) => {
    const copy = structuredClone(platform);
    change((copy.spec as { patches: { target?: Record<string, string> }[] }).patches);
    return copy;
  };

  it('throws on a patch without a target, which kustomize matches to its own name', () => {
    const untargeted = withPatches((patches) => delete patches[0]!.target);
    expect(() => fluxBuild(files, manifests, untargeted)).toThrow(/with a target/);
  });

  it('throws on a target pattern it does not read as kustomize does', () => {
    const classed = withPatches((patches) => (patches[0]!.target!.kind = '[A-Z]\\w+'));
    expect(() => fluxBuild(files, manifests, classed)).toThrow(/not modelled/);
  });

  it('reads a target field as a regular expression matching the whole value', () => {
    const prefix = withPatches((patches) => (patches[0]!.target!.kind = 'Resource'));
    const pattern = withPatches((patches) => (patches[0]!.target!.kind = 'Resource.*'));
    const kindsOf = (k: KubeObject) =>
      fluxBuild(files, manifests, k)!.manifests.map((m) => m.object.kind);
    expect(kindsOf(prefix)).toContain('ResourceQuota');
    expect(kindsOf(pattern)).not.toContain('ResourceQuota');
  });
});
