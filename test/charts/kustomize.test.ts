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

describe("Flux's platform unit, through its Kustomization's patches", () => {
  const platform = ofKind<KubeObject>(manifests, 'Kustomization').find(
    (k) => k.metadata.name === 'aviary-platform',
  )!;
  const onlyNetworkPolicies = (objects: readonly KubeObject[]) => {
    expect(objects.length).toBeGreaterThan(0);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['NetworkPolicy']));
  };

  it('builds the NetworkPolicies only: its identity never writes the quota or a Role', async () => {
    const sync = fluxSync(platform);
    onlyNetworkPolicies(await build('platform-today', sync.files, sync.patches));
  });

  it('builds more when a patch is dropped', async () => {
    const sync = fluxSync(platform);
    const built = await build('platform-unpatched', sync.files, sync.patches.slice(1));
    expect(built.map((o) => o.kind)).toContain('ResourceQuota');
  });

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
      const sync = fluxSync(platform, from, [...new Set(from.map((m) => m.file))]);
      const built = await build(`platform-${commit}`, sync.files, sync.patches, from);
      onlyNetworkPolicies(built);
      expect(keysOf(built)).toEqual(keysOf(sync.objects));
    },
    30_000,
  );
});
