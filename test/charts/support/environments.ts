import { GITOPS_DIR } from './layout.js';
import { describeObject, type Manifest } from '../../support/manifests.js';

/** One environment's committed render, by name. */
export interface Render {
  readonly name: string;
  readonly manifests: readonly Manifest[];
}

const identity = ({ object }: Manifest) =>
  `${object.apiVersion.split('/')[0]}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/**
 * A render's objects, each once: Flux's bootstrap file applies the Namespace and the
 * cluster-scoped objects that its top level holds as well (for Argo CD and kubectl), and those
 * count where the top level has them.
 */
function applied(render: Render): Manifest[] {
  const outside = new Set(
    render.manifests.filter((m) => !m.file.startsWith(`${GITOPS_DIR}/`)).map(identity),
  );
  return render.manifests.filter(
    (m) => !m.file.startsWith(`${GITOPS_DIR}/`) || !outside.has(identity(m)),
  );
}

/**
 * What goes wrong when two environments are applied to one cluster: an object of the same kind,
 * namespace and name in both renders is one object on the cluster. A GitOps object (anything in
 * `gitops/`: Applications, AppProjects, GitRepositories, Kustomizations, Flux's ServiceAccounts)
 * must never be shared, or one environment's controller would sync, and prune, the other's
 * folder. Nor may any other object, even written identically: each environment's GitOps unit
 * stamps it as its own, so the two never settle. Argo CD (argo-cd v3.3.14,
 * controller/state.go: `isSelfReferencedObj` compares only group, kind, namespace and name,
 * and the other Application's tracking id makes the object OutOfSync) re-syncs it from each
 * Application in turn under `selfHeal`; Flux (kustomize-controller v1.9.4) relabels it with
 * each Kustomization's name at every interval.
 */
export function sharedObjectProblems(a: Render, b: Render): string[] {
  const theirs = new Map(applied(b).map((m) => [identity(m), m]));
  const problems: string[] = [];
  for (const ours of applied(a)) {
    const other = theirs.get(identity(ours));
    if (!other) continue;
    const where = `${describeObject(ours)} of ${a.name} and ${describeObject(other)} of ${b.name}`;
    if (ours.file.startsWith(`${GITOPS_DIR}/`) || other.file.startsWith(`${GITOPS_DIR}/`)) {
      problems.push(`${where}: a GitOps object with one name in both`);
    } else {
      problems.push(`${where}: one object on the cluster, applied by both`);
    }
  }
  return problems;
}
