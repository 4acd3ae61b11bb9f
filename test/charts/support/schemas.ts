import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describeObject, type Manifest } from '../../support/manifests.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const K8S_SCHEMAS = path.join(ROOT, 'test', 'fixtures', 'k8s-schemas');
const CRDS = path.join(ROOT, 'charts', 'crds');

/** The Kubernetes releases every object must validate against: both ends of the range. */
export const KUBERNETES_VERSIONS = ['v1.27.0', 'v1.36.0'] as const;

type SchemaNode = Record<string, unknown>;
interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/**
 * A Go (RE2) pattern as a JS RegExp. CRD schemas use inline flags such as `^(?i)(abort|warn)?$`,
 * which JS lacks: they become flags of the whole expression (exact for a flag at the start or,
 * as here, right after `^`).
 */
export function goRegExp(pattern: string, flags: string): RegExp {
  let inline = '';
  const source = pattern
    .replace(/\(\?([imsU]+)\)/g, (_, found: string) => {
      inline += found.replace('U', '');
      return '';
    })
    .replace(/\(\?P</g, '(?<');
  return new RegExp(source, [...new Set(flags + inline)].join(''));
}
goRegExp.code = 'goRegExp';

/**
 * The API server rejects unknown fields (kubectl's default `--validate=strict`), but the
 * published schemas only list the known ones. Closing every object schema that lists
 * properties, unless it preserves unknown fields, makes a typo an error here too. Branches of
 * allOf/anyOf/oneOf are left open: closing one would reject the properties of another.
 */
export function closeSchema(node: unknown, inCombinator = false): unknown {
  if (Array.isArray(node)) return node.map((item) => closeSchema(item, inCombinator));
  if (node === null || typeof node !== 'object') return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node as SchemaNode)) {
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value as SchemaNode).map(([name, child]) => [name, closeSchema(child)]),
      );
    } else {
      out[key] = closeSchema(value, ['allOf', 'anyOf', 'oneOf'].includes(key));
    }
  }
  if (
    'properties' in out &&
    !('additionalProperties' in out) &&
    out['x-kubernetes-preserve-unknown-fields'] !== true &&
    !inCombinator
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const int = (bits: 32 | 64) => ({
  type: 'number' as const,
  validate: (value: number) =>
    Number.isInteger(value) && Math.abs(value) <= (bits === 32 ? 2 ** 31 : Number.MAX_SAFE_INTEGER),
});

function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // The vendored schemas are the official ones: checking them against the meta-schema on
    // every run would only cost time. Strict mode still rejects unknown keywords.
    validateSchema: false,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    code: { regExp: goRegExp },
    formats: {
      int32: int(32),
      int64: int(64),
      double: { type: 'number', validate: () => true },
      float: { type: 'number', validate: () => true },
      byte: /^[A-Za-z0-9+/]*={0,2}$/,
      'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i,
    },
  });
  // Kubernetes' own keywords: informational, or enforced by the API server in ways a JSON
  // schema cannot express (CEL rules, list semantics).
  ajv.addVocabulary([
    'x-kubernetes-group-version-kind',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-list-type',
    'x-kubernetes-map-type',
    'x-kubernetes-patch-merge-key',
    'x-kubernetes-patch-strategy',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-unions',
    'x-kubernetes-validations',
    'x-kubernetes-embedded-resource',
  ]);
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (enabled: boolean, data: unknown) =>
      !enabled || typeof data === 'string' || Number.isInteger(data),
  });
  return ajv;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})`
        : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
}

/** Validators for built-in kinds (per Kubernetes release) and CRD kinds, compiled on demand. */
export class SchemaValidators {
  private readonly ajv = createAjv();
  private readonly builtIn = new Map<string, Map<string, string>>();
  private crdSchemas?: Map<string, AnySchemaObject>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    for (const version of KUBERNETES_VERSIONS) {
      const file = path.join(K8S_SCHEMAS, `${version}.json`);
      const { definitions } = JSON.parse(readFileSync(file, 'utf8')) as {
        definitions: Record<string, SchemaNode>;
      };
      const byGvk = new Map<string, string>();
      for (const [name, schema] of Object.entries(definitions)) {
        const gvks = (schema['x-kubernetes-group-version-kind'] ?? []) as Gvk[];
        for (const gvk of gvks) byGvk.set(gvkKey(gvk), name);
      }
      this.builtIn.set(version, byGvk);
      this.ajv.addSchema({ $id: `k8s-${version}`, definitions: closeSchema(definitions) });
    }
  }

  /** The CRD schemas, parsed on first use: the YAML is large and slow to parse. */
  private get crds(): Map<string, AnySchemaObject> {
    if (!this.crdSchemas) {
      this.crdSchemas = new Map();
      for (const file of readdirSync(CRDS).filter((name) => name.endsWith('.yaml'))) {
        for (const doc of parseAllDocuments(readFileSync(path.join(CRDS, file), 'utf8'))) {
          this.addCrd(this.crdSchemas, doc.toJS() as SchemaNode);
        }
      }
    }
    return this.crdSchemas;
  }

  /** Whether `apiVersion`/`kind` is built into Kubernetes `version`. */
  public isBuiltIn(apiVersion: string, kind: string, version: string): boolean {
    return this.builtIn.get(version)?.has(`${apiVersion}/${kind}`) ?? false;
  }

  /** Problems of `manifests` against Kubernetes `version` and the CRDs. */
  public problems(manifests: readonly Manifest[], version: string): string[] {
    return manifests.flatMap((manifest) => {
      const { apiVersion, kind } = manifest.object;
      const key = `${apiVersion}/${kind}`;
      const validate = this.validator(key, version);
      if (!validate) {
        return [`${describeObject(manifest)}: no schema for ${key} in Kubernetes ${version}`];
      }
      return validate(manifest.object)
        ? []
        : formatErrors(validate.errors).map((error) => `${describeObject(manifest)}: ${error}`);
    });
  }

  private validator(key: string, version: string): ValidateFunction | undefined {
    const definition = this.builtIn.get(version)?.get(key);
    const cacheKey = definition ? `${version}:${definition}` : `crd:${key}`;
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      const schema = definition
        ? { $ref: `k8s-${version}#/definitions/${definition}` }
        : this.crds.get(key);
      if (!schema) return undefined;
      validate = this.ajv.compile(schema);
      this.compiled.set(cacheKey, validate);
    }
    return validate;
  }

  private addCrd(crds: Map<string, AnySchemaObject>, crd: SchemaNode): void {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; served: boolean; schema: { openAPIV3Schema: SchemaNode } }[];
    };
    for (const version of spec.versions.filter((v) => v.served)) {
      const { status, ...properties } = version.schema.openAPIV3Schema.properties as SchemaNode;
      // A CRD schema leaves metadata open; the API server checks it as any ObjectMeta. Status is
      // written by controllers, never by us (the hygiene check forbids it), and it is most of
      // Argo CD's schema: compiling it would only cost time.
      const objectMeta = `k8s-${KUBERNETES_VERSIONS[0]}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
      const schema = closeSchema({
        ...version.schema.openAPIV3Schema,
        properties: { ...properties, ...(status ? { status: {} } : {}) },
      }) as SchemaNode;
      (schema.properties as SchemaNode).metadata = { $ref: objectMeta };
      crds.set(`${spec.group}/${version.name}/${spec.names.kind}`, schema);
    }
  }
}

function gvkKey({ group, version, kind }: Gvk): string {
  return `${group ? `${group}/` : ''}${version}/${kind}`;
}
