import type { KubeObject } from '../../support/k8s-types.js';
import { distHistory } from './dist-history.js';
import { CLUSTER_SCOPED } from './hygiene.js';
import { fluxBuild } from './flux-build.js';
import { argoSyncedFiles } from './layout.js';
import { kstatusReads } from './kstatus.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { platformIdentityProblems } from './platform-identity.js';
import { bindingSubjectProblems, grantsOf } from './rbac-reach.js';

const RBAC = 'rbac.authorization.k8s.io/';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const gkOf = (o: KubeObject) => `${groupOf(o.apiVersion)}/${o.kind}`;
const READ_VERBS = ['get', 'list', 'watch'];
// A rule that can find and delete but not write: what a unit keeps on a kind it once applied, to
// prune it from a cluster that synced that render (charts/gitops-units.ts, `retiredKinds`).
const PRUNE_VERBS = [...READ_VERBS, 'delete'];
const isPruneOnly = (rule: Rule) =>
  (rule.verbs ?? []).includes('delete') && (rule.verbs ?? []).every((v) => PRUNE_VERBS.includes(v));

// What each Role could write in every earlier render of a folder, `<namespace>/<role>/<group>/<resource>`.
const earlierWrites = new Map<string, Set<string>>();
function writtenBefore(distPath: string): Set<string> {
  let found = earlierWrites.get(distPath);
  if (found) return found;
  found = new Set();
  for (const { objects } of distHistory(distPath)) {
    for (const role of objects.filter((o) => o.kind === 'Role')) {
      for (const rule of (role as unknown as { rules?: Rule[] }).rules ?? []) {
        if (!(rule.verbs ?? []).includes('patch')) continue;
        for (const group of rule.apiGroups ?? []) {
          for (const resource of rule.resources ?? []) {
            found.add(`${role.metadata.namespace}/${role.metadata.name}/${group}/${resource}`);
          }
        }
      }
    }
  }
  earlierWrites.set(distPath, found);
  return found;
}
const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  return lower.endsWith('y')
    ? `${lower.slice(0, -1)}ies`
    : lower.endsWith('s')
      ? `${lower}es`
      : `${lower}s`;
};
const objectsIn = (manifests: readonly Manifest[], files: readonly string[]) =>
  manifests.filter((m) => files.includes(m.file)).map((m) => m.object);
const holdsCrdKind = (objects: readonly KubeObject[]) =>
  objects.some(
    (o) =>
      !/^(v1|apps\/v1|autoscaling\/v2|batch\/v1|policy\/v1|networking\.k8s\.io\/v1|rbac\.authorization\.k8s\.io\/v1|scheduling\.k8s\.io\/v1|storage\.k8s\.io\/v1)$/.test(
        o.apiVersion,
      ),
  );

/**
 * GitOps that fails per unit and applies with least privilege (issue 11, point 7):
 * - no unit holds both the Deployments and a CRD kind, so missing CRDs never hold the services;
 * - Argo CD: every Application retries, in an AppProject other than `default` whose whitelists
 *   admit the kinds it syncs and no other, and whose destinations are one namespace;
 * - Flux: every Kustomization but the platform unit's impersonates a ServiceAccount bound, by a
 *   RoleBinding of the synced objects' namespace naming it alone, to a Role that allows exactly
 *   the kinds it applies; the platform unit's (bound cluster-wide to get the bootstrap's
 *   cluster-scoped objects, or applying RBAC or cluster-scoped objects itself) impersonates a
 *   ServiceAccount that reaches that namespace and gets the bootstrap's objects by name, and
 *   nothing else (support/platform-identity.ts).
 *
 * `distPath` is the output folder's path in the repository, which the Applications read.
 */
export function gitopsIdentityProblems(
  files: readonly string[],
  manifests: readonly Manifest[],
  distPath = 'dist',
): string[] {
  const problems: string[] = [];
  const unitProblem = (at: string, objects: KubeObject[]) => {
    if (objects.some((o) => o.kind === 'Deployment') && holdsCrdKind(objects)) {
      problems.push(`${at}: syncs the Deployments together with CRD kinds`);
    }
  };
  for (const app of ofKind<KubeObject>(manifests, 'Application')) {
    const at = `Application ${app.metadata.name}`;
    const objects = objectsIn(manifests, argoSyncedFiles(files, app, distPath));
    unitProblem(at, objects);
    const spec = app.spec as { project?: string; syncPolicy?: { retry?: { limit?: number } } };
    if (spec.syncPolicy?.retry === undefined || spec.syncPolicy.retry.limit === 0)
      problems.push(`${at}: no retry`);
    const project = ofKind<KubeObject>(manifests, 'AppProject').find(
      (p) => p.metadata.name === spec.project,
    );
    if (!project) {
      problems.push(
        `${at}: project ${spec.project} is not an AppProject of dist/ (default admits everything)`,
      );
      continue;
    }
    const p = project.spec as {
      destinations?: { namespace?: string }[];
      clusterResourceWhitelist?: { group: string; kind: string }[];
      namespaceResourceWhitelist?: { group: string; kind: string }[];
    };
    const key = (k: { group: string; kind: string }) => `${k.group}/${k.kind}`;
    const used = (cluster: boolean) =>
      [
        ...new Set(
          objects
            .filter((o) => CLUSTER_SCOPED.has(o.kind) === cluster)
            .map((o) => `${groupOf(o.apiVersion)}/${o.kind}`),
        ),
      ].sort();
    for (const [cluster, list] of [
      [true, p.clusterResourceWhitelist],
      [false, p.namespaceResourceWhitelist],
    ] as const) {
      const admitted = (list ?? []).map(key).sort();
      if (admitted.some((k) => k.includes('*')) || admitted.join() !== used(cluster).join()) {
        problems.push(
          `${at}: project ${project.metadata.name} admits ${cluster ? 'cluster' : 'namespaced'} kinds [${admitted.join(', ')}], not [${used(cluster).join(', ')}]`,
        );
      }
    }
    if ((p.destinations ?? []).some((d) => !d.namespace || d.namespace.includes('*'))) {
      problems.push(`${at}: project ${project.metadata.name} admits every namespace`);
    }
  }

  for (const kustomization of ofKind<KubeObject>(manifests, 'Kustomization')) {
    const at = `Kustomization ${kustomization.metadata.name}`;
    const built = fluxBuild(files, manifests, kustomization);
    if (!built) continue;
    const objects = built.manifests.map((m) => m.object);
    unitProblem(at, objects);
    // The platform unit: its identity gets the bootstrap's cluster-scoped objects, by a
    // ClusterRoleBinding; or a unit that applies what only the bootstrap file may.
    const account = (kustomization.spec as { serviceAccountName?: string }).serviceAccountName;
    const clusterWide =
      account !== undefined &&
      grantsOf(
        { name: account, namespace: kustomization.metadata.namespace! },
        manifests.map((m) => m.object),
      ).some((grant) => grant.namespace === undefined);
    if (
      clusterWide ||
      objects.some((o) => CLUSTER_SCOPED.has(o.kind) || o.apiVersion.startsWith(RBAC))
    ) {
      problems.push(...platformIdentityProblems(kustomization, objects, manifests));
      continue;
    }
    if (!account) {
      problems.push(
        `${at}: applies namespaced objects with the controller's own (cluster-wide) rights`,
      );
      continue;
    }
    problems.push(
      ...bindingSubjectProblems(
        `${at}: ${account}`,
        { name: account, namespace: kustomization.metadata.namespace! },
        manifests.map((m) => m.object),
      ),
    );
    const namespaces = [...new Set(objects.map((o) => o.metadata.namespace))];
    for (const namespace of namespaces) {
      const bindings = ofKind<KubeObject>(manifests, 'RoleBinding').filter(
        (b) =>
          b.metadata.namespace === namespace &&
          (
            (b as unknown as { subjects?: { kind: string; name: string; namespace?: string }[] })
              .subjects ?? []
          ).some(
            (s) =>
              s.kind === 'ServiceAccount' &&
              s.name === account &&
              s.namespace === kustomization.metadata.namespace,
          ),
      );
      const rules = bindings.flatMap((b) => {
        const ref = (b as unknown as { roleRef: { kind: string; name: string } }).roleRef;
        if (ref.kind !== 'Role') {
          problems.push(
            `${at}: ${account} is bound to ${ref.kind} ${ref.name}, not a namespaced Role`,
          );
          return [];
        }
        const role = ofKind<KubeObject>(manifests, 'Role').find(
          (r) => r.metadata.name === ref.name && r.metadata.namespace === namespace,
        );
        const roleRules = (role as unknown as { rules?: Rule[] })?.rules ?? [];
        // Prune-only rules are allowed on what the same Role could write in an earlier render.
        for (const rule of roleRules.filter(isPruneOnly)) {
          const never = (rule.apiGroups ?? []).flatMap((g) =>
            (rule.resources ?? [])
              .map((res) => `${g}/${res}`)
              .filter((gr) => !writtenBefore(distPath).has(`${namespace}/${ref.name}/${gr}`)),
          );
          if (never.length > 0) {
            problems.push(
              `${at}: ${account} in ${namespace} may delete [${never.join(', ')}], which it never applied`,
            );
          }
        }
        return roleRules.filter((rule) => !isPruneOnly(rule));
      });
      // Managing is writing; a rule of read verbs only is what the health checks need
      // (support/kstatus.ts), checked there and below.
      const resourcesOf = (writes: boolean) =>
        new Set(
          rules
            .filter((r) => (r.verbs ?? []).some((v) => !READ_VERBS.includes(v)) === writes)
            .flatMap((r) =>
              (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).map((res) => `${g}/${res}`)),
            ),
        );
      const allowed = resourcesOf(true);
      const readable = kstatusReads(
        objects.filter((o) => o.metadata.namespace === namespace).map(gkOf),
      ).map((gk) => {
        const [group, kind] = gk.split('/') as [string, string];
        return `${group}/${plural(kind)}`;
      });
      const extraReads = [...resourcesOf(false)].filter((k) => !readable.includes(k));
      if (extraReads.length > 0) {
        problems.push(`${at}: ${account} in ${namespace} may also read [${extraReads.join(', ')}]`);
      }
      const needed = new Set(
        objects
          .filter((o) => o.metadata.namespace === namespace)
          .map((o) => `${groupOf(o.apiVersion)}/${plural(o.kind)}`),
      );
      const missing = [...needed].filter((k) => !allowed.has(k));
      const extra = [...allowed].filter((k) => !needed.has(k));
      if (missing.length || extra.length) {
        problems.push(
          `${at}: ${account} in ${namespace} lacks [${missing.join(', ')}] and may also manage [${extra.join(', ')}]`,
        );
      }
    }
  }
  return problems;
}
