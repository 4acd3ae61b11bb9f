import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './k8s-types.js';

/**
 * The committed manifests; `AVIARY_DIST` points the checks at another copy, e.g. an older
 * `dist/` to show that a check fails on it.
 */
export const DIST = process.env.AVIARY_DIST
  ? path.resolve(process.env.AVIARY_DIST)
  : path.resolve(import.meta.dirname, '..', '..', 'dist');

/** One object of the synthesized output, with the file it came from. */
export interface Manifest {
  /** Path relative to the output folder, with `/` separators, e.g. `gitops/flux.k8s.yaml`. */
  readonly file: string;
  readonly object: KubeObject;
}

/** Every file under `dir`, relative, sorted as kubectl sorts them (by name, per folder). */
export function listFiles(dir: string = DIST): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/** Parses every YAML document under `dir`; a document that does not parse throws. */
export function loadManifests(dir: string = DIST): Manifest[] {
  return listFiles(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
        return { file, object: doc.toJS() as KubeObject };
      }),
    );
}

/** `Kind namespace/name (file)`, the way problems name an object. */
export function describeObject(manifest: Manifest): string {
  const { kind, metadata } = manifest.object;
  const name = metadata?.namespace ? `${metadata.namespace}/${metadata.name}` : metadata?.name;
  return `${kind} ${name} (${manifest.file})`;
}

/** The objects of one kind, typed as `T`. */
export function ofKind<T extends KubeObject>(manifests: readonly Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.object.kind === kind).map((m) => m.object as T);
}

/**
 * A deep copy of `manifests` in which `change` has been applied to the object of `kind` named
 * `name`: how the tests show that a check catches a broken object.
 */
export function mutate<T extends KubeObject>(
  manifests: readonly Manifest[],
  kind: string,
  name: string,
  change: (object: T) => void,
): Manifest[] {
  const copy = structuredClone(manifests) as Manifest[];
  const target = copy.find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (!target) throw new Error(`no ${kind} named ${name} to mutate`);
  change(target.object as T);
  return copy;
}
