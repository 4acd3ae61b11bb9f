import { ApiObject, type Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { ApiKind, NamedObject } from './constructs/deployer-role.js';
import { checkDnsLabel, failProp } from './constructs/props.js';
import type { AviaryEnvironment } from './environments.js';
import { healthCheckReads } from './health-check-reads.js';

/** Where the GitOps controllers read the manifests: the environment's `gitops`. */
export type GitOpsSource = AviaryEnvironment['gitops'];

// A folder relative to the repository root: names of letters, digits, "_", "-" and ".", none
// starting with "." (no "..", no hidden folder), joined by single "/", none leading or trailing.
const REPOSITORY_FOLDER = /^[\w-][\w.-]*(\/[\w-][\w.-]*)*$/;

/**
 * Checks a {@link GitOpsSource}: both GitOps charts call it, so Argo CD and Flux accept and refuse
 * the same repositories and folders.
 */
export function checkGitOpsSource(owner: string, source: GitOpsSource): void {
  if (!/^(https|ssh):\/\/\S+$/.test(source.repoUrl)) {
    failProp(owner, 'repoUrl', source.repoUrl, 'use an https:// or ssh:// URL');
  }
  checkDnsLabel(owner, 'namePrefix', source.namePrefix);
  if (!REPOSITORY_FOLDER.test(source.path)) {
    failProp(
      owner,
      'path',
      source.path,
      'use a folder relative to the repository root, e.g. "dist"',
    );
  }
}

/**
 * One part of the output that a GitOps controller syncs on its own: a failure in one unit (say,
 * the monitoring stack's CRDs are not installed yet) leaves the others deployed.
 */
export interface GitOpsUnit {
  /** Short name; the controller objects are named `<gitops.namePrefix>-<name>`. */
  readonly name: string;
  /**
   * What the unit syncs, relative to the output folder: top-level files as globs without `/`
   * (e.g. `*-services.k8s.yaml`), or exactly one sub-folder, written with a trailing `/`.
   */
  readonly paths: readonly string[];
  /**
   * What Flux's bootstrap file applies instead of the unit (see {@link UnitDefinition.bootstrap}
   * and {@link UnitDefinition.handedOver}): the paths of the bootstrap charts, which Flux's unit
   * leaves out and Argo CD's syncs with the rest; the handed-over objects, which Flux's unit
   * deletes from its build; and all their objects, rendered.
   */
  readonly bootstrap: {
    readonly paths: readonly string[];
    /**
     * The objects of the unit's own files that Flux's Kustomization deletes from its build, by
     * their API version, kind and namespace (each such object is among them).
     */
    readonly deletedFromBuild: readonly ObjectReference[];
    readonly manifests: readonly BootstrapManifest[];
    /** Its cluster-scoped objects, by name. */
    readonly clusterObjects: readonly NamedObject[];
    /** Its namespaced objects, by name: all in the application's namespace. */
    readonly namespacedObjects: readonly NamedObject[];
  };
  /** Units that must be applied and healthy first. @default [] */
  readonly dependsOn?: readonly string[];
  /**
   * `cluster` for the unit holding cluster-scoped objects and the namespace's guard rails,
   * applied as an identity that can manage its {@link GitOpsUnit.fluxKinds} in the application's
   * namespace and its {@link GitOpsUnit.clusterObjects} by name, and get its bootstrap's objects
   * by name; `namespace` for units a controller applies as an identity that can only manage
   * {@link GitOpsUnit.fluxKinds} in the application's namespace.
   */
  readonly scope: 'cluster' | 'namespace';
  /** The namespaced kinds the unit holds, its bootstrap's included: what Argo CD applies. */
  readonly kinds: readonly ApiKind[];
  /** The namespaced kinds Flux's unit applies: those of its charts, but for the handed-over ones. */
  readonly fluxKinds: readonly ApiKind[];
  /** The cluster-scoped kinds the unit holds; only a `cluster` unit may hold any. */
  readonly clusterKinds: readonly ApiKind[];
  /** The cluster-scoped objects Flux's unit applies, by name. */
  readonly clusterObjects: readonly NamedObject[];
  /** Fields of the unit's objects that another controller writes. @default [] */
  readonly controllerFields: readonly ControllerField[];
  /**
   * Whether Flux waits for every object to be healthy (kstatus) before the unit counts as
   * applied. @default true
   */
  readonly waitForHealth: boolean;
  /**
   * Namespaced kinds Flux's unit does not apply but its health checks read (a Deployment's
   * ReplicaSets and Pods); empty when Flux does not wait for health.
   */
  readonly healthCheckReads: readonly ApiKind[];
  /**
   * Namespaced kinds the unit applied in an earlier render and no longer does: a cluster that
   * synced that render still lists such objects in the unit's inventory, and Flux prunes them as
   * the unit's identity. fluxcd/pkg ssa (v0.76.1, ssa/manager_delete.go) gets each object before
   * deleting it, and kustomize-controller (v1.9.4, kustomization_controller.go) turns any error
   * but NotFound into `PruneFailed`: the unit never gets Ready, and every unit after it waits. So
   * the identity keeps get and delete on them.
   */
  readonly retiredKinds: readonly ApiKind[];
}

/**
 * A field that a controller other than GitOps writes on an object Git holds (Argo Rollouts sets
 * the replicas of a Deployment it took over, and adds its hash to the selector of the Services
 * it splits traffic with). Argo CD must neither report it as drift nor reset it.
 */
export interface ControllerField extends ApiKind {
  /** Name of the object. */
  readonly name: string;
  /** The field, as a JSON pointer (RFC 6901), e.g. `/spec/replicas`. */
  readonly jsonPointer: string;
}

/** What {@link defineUnit} needs: the charts of the unit, and where they are written. */
export interface UnitDefinition {
  readonly name: string;
  readonly charts: readonly Chart[];
  /** The sub-folder the charts are synthesized into. @default the top level of the output */
  readonly folder?: string;
  readonly dependsOn?: readonly string[];
  /** @default 'namespace' */
  readonly scope?: GitOpsUnit['scope'];
  /** Each must name an object of `charts`. @default [] */
  readonly controllerFields?: readonly ControllerField[];
  /** @default true */
  readonly waitForHealth?: boolean;
  /** See {@link GitOpsUnit.retiredKinds}. @default [] */
  readonly retiredKinds?: readonly ApiKind[];
  /**
   * Charts of the unit that Flux's bootstrap file applies instead of Flux's unit: objects whose
   * fields reach past what the unit's identity should write (the Namespace, whose labels set Pod
   * Security; a PriorityClass; a StorageClass), which no identity Flux runs as may then write.
   * Flux's unit leaves their files out; Argo CD's Application syncs them with the rest.
   * @default []
   */
  readonly bootstrap?: readonly Chart[];
  /**
   * Constructs of `charts` whose objects Flux's bootstrap file applies too, for the same reason as
   * {@link UnitDefinition.bootstrap} (the ResourceQuota and LimitRange bounding the pods, the
   * Roles and RoleBindings of the GitOps identities), but which stay in the unit's files: Argo CD and `kubectl
   * apply -f` apply them from there as before, and Flux's Kustomization deletes them from its
   * build (`spec.patches`, charts/flux-chart.ts). So an object can move from Flux's unit to its
   * bootstrap file in one release: the unit's identity, old or new, never lists it as gone from
   * Git until it is annotated prune-disabled (docs/deploying.md, "Upgrading"). @default []
   */
  readonly handedOver?: readonly IConstruct[];
}

/** An object by API version, kind, name and (unless cluster-scoped) namespace. */
export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/**
 * What Flux's delete patches select an object by (charts/flux-chart.ts): its API version, kind
 * and namespace, never its name. Objects with the same key are deleted from the build together.
 */
export const deletedKindKey = (o: ObjectReference): string =>
  `${o.apiVersion} ${o.kind} ${o.namespace ?? ''}`;

/** `object`'s {@link ObjectReference}. */
const referenceOf = (object: ApiObject): ObjectReference => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.name,
  namespace: object.metadata.namespace,
});

/** An object as synthesized, for another chart to render as it is. */
export type BootstrapManifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
};

/**
 * A unit of charts: its paths follow from where cdk8s writes them (`<index>-<chart id>.k8s.yaml`
 * at the top level, whatever the index; a sub-folder as a whole) and its kinds from the objects.
 *
 * @example
 * defineUnit({ name: 'monitoring', charts: [monitoring], folder: 'monitoring', dependsOn: ['services'] });
 */
export function defineUnit(definition: UnitDefinition): GitOpsUnit {
  const owner = `GitOps unit "${definition.name}"`;
  checkDnsLabel(owner, 'name', definition.name);
  const scope = definition.scope ?? 'namespace';
  const { namespaced, cluster } = kindsOf([...(definition.bootstrap ?? []), ...definition.charts]);
  if (scope === 'namespace' && cluster.length > 0) {
    failProp(
      owner,
      'charts',
      cluster.map((k) => k.kind),
      "move cluster-scoped objects to a 'cluster' unit",
    );
  }
  const controllerFields = definition.controllerFields ?? [];
  const bootstrap = definition.bootstrap ?? [];
  const objectsOf = (charts: readonly Chart[]) =>
    charts.flatMap((chart) => chart.node.findAll()).filter((object) => object instanceof ApiObject);
  const objects = objectsOf([...bootstrap, ...definition.charts]);
  const handedOver = handedOverObjects(owner, definition);
  const namedObjectsOf = (list: readonly ApiObject[], clusterScoped: boolean) =>
    list
      .filter((object) => (object.metadata.namespace === undefined) === clusterScoped)
      .map((object) => ({ ...kindOf(object), name: object.name }));
  const pathsOf = (charts: readonly Chart[]) =>
    charts.map((chart) => `*-${chart.node.id}.k8s.yaml`);
  for (const field of controllerFields) {
    const held = objects.some(
      (object) =>
        object.kind === field.kind &&
        object.metadata.name === field.name &&
        apiGroup(object.apiVersion) === field.group,
    );
    if (!held) {
      failProp(owner, 'controllerFields', field, 'name an object the unit holds');
    }
  }
  const waitForHealth = definition.waitForHealth ?? true;
  const fluxObjects = objectsOf(definition.charts).filter((object) => !handedOver.includes(object));
  checkKindsHandedOverWhole(owner, handedOver, fluxObjects);
  const fluxKinds = kindsOf(fluxObjects).namespaced;
  if (definition.folder && bootstrap.length > 0) {
    failProp(
      owner,
      'bootstrap',
      bootstrap.map((c) => c.node.id),
      'use top-level charts',
    );
  }
  const bootstrapObjects = [...objectsOf(bootstrap), ...handedOver];
  const paths = definition.folder
    ? [`${definition.folder}/`]
    : pathsOf([...bootstrap, ...definition.charts]);
  return {
    name: definition.name,
    paths,
    dependsOn: definition.dependsOn ?? [],
    scope,
    kinds: namespaced,
    fluxKinds,
    clusterKinds: cluster,
    controllerFields,
    waitForHealth,
    healthCheckReads: waitForHealth ? healthCheckReads(fluxKinds) : [],
    retiredKinds: definition.retiredKinds ?? [],
    bootstrap: {
      paths: pathsOf(bootstrap),
      deletedFromBuild: handedOver.map(referenceOf),
      manifests: bootstrapObjects.map((object) => object.toJson() as BootstrapManifest),
      clusterObjects: namedObjectsOf(bootstrapObjects, true),
      namespacedObjects: namedObjectsOf(bootstrapObjects, false),
    },
    clusterObjects: namedObjectsOf(fluxObjects, true),
  };
}

/**
 * The objects of a unit's {@link UnitDefinition.handedOver} constructs, each of which must lie in
 * one of its charts: an object of another file would stay in Flux's build.
 */
function handedOverObjects(owner: string, definition: UnitDefinition): ApiObject[] {
  const handedOver = definition.handedOver ?? [];
  const stray = handedOver.filter(
    (scope) => !definition.charts.some((chart) => scope.node.scopes.includes(chart)),
  );
  if (stray.length > 0) {
    failProp(
      owner,
      'handedOver',
      stray.map((scope) => scope.node.path),
      "hand over constructs of the unit's own charts",
    );
  }
  return handedOver
    .flatMap((scope) => scope.node.findAll())
    .filter((object) => object instanceof ApiObject);
}

/**
 * Flux's Kustomization deletes the handed-over objects from its build by API version, kind and
 * namespace, never by name (charts/flux-chart.ts: a renamed one must not reach the unit's
 * identity), so an object of such a kind and namespace that is not handed over would silently
 * vanish from the build too.
 */
function checkKindsHandedOverWhole(
  owner: string,
  handedOver: readonly ApiObject[],
  fluxObjects: readonly ApiObject[],
): void {
  const keyOf = (object: ApiObject) => deletedKindKey(referenceOf(object));
  const deleted = new Set(handedOver.map(keyOf));
  const kept = fluxObjects.filter((object) => deleted.has(keyOf(object)));
  if (kept.length > 0) {
    failProp(
      owner,
      'handedOver',
      kept.map((object) => object.node.path),
      'hand over every object of a handed-over kind in its namespace, or none',
    );
  }
}

/** The kinds `scopes` synthesize, split by scope, each once, sorted by group and kind. */
export function kindsOf(scopes: readonly IConstruct[]): {
  namespaced: ApiKind[];
  cluster: ApiKind[];
} {
  const found = { namespaced: new Map<string, ApiKind>(), cluster: new Map<string, ApiKind>() };
  for (const object of scopes.flatMap((scope) => scope.node.findAll())) {
    if (!(object instanceof ApiObject)) continue;
    const kind = kindOf(object);
    const into = object.metadata.namespace === undefined ? found.cluster : found.namespaced;
    into.set(`${kind.group}/${kind.kind}`, kind);
  }
  const sorted = (kinds: Map<string, ApiKind>) =>
    [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, kind]) => kind);
  return { namespaced: sorted(found.namespaced), cluster: sorted(found.cluster) };
}

const kindOf = (object: ApiObject): ApiKind => ({
  group: apiGroup(object.apiVersion),
  kind: object.kind,
});

/** The API group of an `apiVersion`: `apps/v1` → `apps`, `v1` → `` (the core group). */
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The folder a unit syncs as a whole, or `undefined` for a unit of top-level files. */
export function unitFolder(unit: GitOpsUnit): string | undefined {
  const folder = unit.paths.find((path) => path.endsWith('/'));
  return folder?.slice(0, -1);
}

/**
 * Name of the controller objects (Application, AppProject, GitRepository, Kustomization, Flux's
 * ServiceAccount) of a unit: the environment's `gitops.namePrefix`, then the unit's name.
 */
export function unitObjectName(
  source: Pick<GitOpsSource, 'namePrefix'>,
  unit: Pick<GitOpsUnit, 'name'>,
): string {
  return `${source.namePrefix}-${unit.name}`;
}
