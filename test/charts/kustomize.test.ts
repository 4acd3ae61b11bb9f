/**
 * What the GitOps controllers build, through the real kustomize (`kubectl kustomize`; .ci/run
 * installs kubectl when missing): for each Flux Kustomization, the kustomization Flux generates
 * from every manifest its GitRepository's `ignore` lets through under its path; for each Argo CD
 * Application, the files its directory source reads. Both must build, object for object.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../support/k8s-types.js';
import { argoSyncedFiles, fluxSyncedFiles } from './support/layout.js';
import { DIST, listFiles, loadManifests, ofKind } from '../support/manifests.js';

const run = promisify(execFile);
const files = listFiles();
const manifests = loadManifests();
const work = mkdtempSync(path.join(tmpdir(), 'aviary-kustomize-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Builds `synced` as one kustomization with `kubectl kustomize`; returns the objects it emits. */
async function build(name: string, synced: readonly string[]): Promise<KubeObject[]> {
  const root = path.join(work, name);
  for (const file of synced) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(path.join(DIST, file), path.join(root, file));
  }
  writeFileSync(
    path.join(root, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: synced,
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

const count = (synced: readonly string[]) =>
  manifests.filter((m) => synced.includes(m.file)).length;

// Each GitOps tool's objects, one per unit, and the files each reads from the repository.
const syncSources: [string, string, string, (unit: KubeObject) => readonly string[]][] = [
  ['Flux builds', 'Kustomization', 'flux', (k) => fluxSyncedFiles(files, manifests, k)!.files],
  ["Argo CD's directory sources read", 'Application', 'argo', (a) => argoSyncedFiles(files, a)],
];

describe.each(syncSources)('kubectl kustomize over what %s', (_, kind, tool, syncedFiles) => {
  const units = ofKind<KubeObject>(manifests, kind);
  it(`finds one ${kind} per unit`, () => expect(units.map((u) => u.metadata.name)).toEqual(UNITS));
  it.each(units.map((u) => [u.metadata.name, u] as const))(
    '%s builds',
    async (name, unit) => {
      const synced = syncedFiles(unit);
      expect(synced.length).toBeGreaterThan(0);
      expect(await build(`${tool}-${name}`, synced)).toHaveLength(count(synced));
    },
    30_000,
  );
});
