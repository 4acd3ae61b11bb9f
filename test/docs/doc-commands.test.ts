/**
 * Issue 19, item 5g: the commands docs/runbook.md, deploying.md and releasing.md give an operator
 * name objects that exist, and work with and without the Rollouts layer. Data-driven from dist/
 * (and deploy/): a renamed GitOps unit, Service or workload makes the docs that still name the
 * old one fail here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CERT_MANAGER_FILES } from '../../charts/cert-manager-install.js';
import { production } from '../../charts/environments.js';
import { UNSPLASH_SECRET_NAME } from '../../charts/services-chart.js';
import type { KubeObject } from '../support/k8s-types.js';
import { distHistory } from '../charts/support/dist-history.js';
import { DIST, loadManifests, ofKind } from '../support/manifests.js';
import {
  docCommands,
  namedObjects,
  selectorOption,
  tailOption,
  words,
  type DocCommand,
  type NamedObject,
} from './support/doc-commands.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DOCS = ['docs/runbook.md', 'docs/deploying.md', 'docs/releasing.md'];
const namespace = production.namespace;
const commands = DOCS.flatMap((file) =>
  docCommands(file, readFileSync(path.join(ROOT, file), 'utf8')),
);
const shipped: KubeObject[] = [
  ...loadManifests().map((m) => m.object),
  parse(
    readFileSync(path.resolve(DIST, '..', CERT_MANAGER_FILES.clusterIssuer), 'utf8'),
  ) as KubeObject,
];

// Namespaces whose objects Aviary ships: its own and the GitOps controllers'. Commands into the
// add-ons' namespaces (monitoring, cert-manager) name the add-ons' objects, not Aviary's.
const OURS = new Set([namespace, 'argocd', 'flux-system', undefined]);

// What an earlier dist/ carried: an upgrade note may tell how to delete an object dist/ retired.
const retired: KubeObject[] = distHistory().flatMap((version) => version.objects);

type Ingress = KubeObject & { spec: { tls?: { secretName?: string }[] } };

/** Objects that exist without being in dist/, each with who makes it. */
function madeAtRunTime(all: readonly KubeObject[], docs: readonly DocCommand[]): NamedObject[] {
  const tlsSecrets = (all.filter((o) => o.kind === 'Ingress') as Ingress[]).flatMap((i) =>
    (i.spec.tls ?? []).map((t) => t.secretName ?? ''),
  );
  return [
    // Kubernetes' endpoints controller names an Endpoints after its Service.
    ...all
      .filter((o) => o.kind === 'Service')
      .map((s) => ({ kind: 'Endpoints', name: s.metadata.name, namespace: s.metadata.namespace })),
    // cert-manager's ingress-shim (v1.21.1, pkg/controller/certificate-shim/sync.go) names the
    // Certificate after the Ingress's TLS secretName, and fills that Secret.
    ...tlsSecrets.flatMap((name) => [
      { kind: 'Certificate', name, namespace },
      { kind: 'Secret', name, namespace },
    ]),
    // Created by hand (deploying.md, "The Unsplash key").
    { kind: 'Secret', name: UNSPLASH_SECRET_NAME, namespace },
    // Jobs the docs create themselves: `kubectl create job … <name>`.
    ...docs
      .flatMap((c) => {
        const at = c.argv.indexOf('job');
        return at > 0 && c.argv[at - 1] === 'create' ? [c.argv[c.argv.length - 1]!] : [];
      })
      .map((name) => ({ kind: 'Job', name, namespace })),
  ];
}

const same = (a: NamedObject) => (b: { kind: string; name: string; namespace?: string }) =>
  a.kind === b.kind &&
  a.name === b.name &&
  (a.namespace === undefined || a.namespace === b.namespace);

/** Commands that name an object of Aviary's that neither dist/ nor the cluster would hold. */
function missingObjectProblems(all: readonly KubeObject[], docs: readonly DocCommand[]): string[] {
  const runtime = madeAtRunTime(all, docs);
  const known = (objects: readonly KubeObject[], object: NamedObject) =>
    objects.some((o) =>
      same(object)({ ...o, namespace: o.metadata.namespace, name: o.metadata.name }),
    );
  return docs.flatMap((command) =>
    namedObjects(command.argv, namespace)
      .filter((object) => OURS.has(object.namespace) || object.kind === 'Application')
      .filter(
        (object) =>
          !known(all, object) &&
          !runtime.some(same(object)) &&
          !(command.argv.includes('delete') && known(retired, object)),
      )
      .map(
        (object) =>
          `${command.file} (${command.section}): \`${command.text}\` names ${object.kind} ` +
          `${object.namespace ?? ''}/${object.name}, which does not exist`,
      ),
  );
}

/**
 * kubectl shows only the last 10 lines of each pod when `logs` selects pods by label, unless
 * `--tail` says otherwise (kubernetes/kubectl pkg/cmd/logs/logs.go, `selectorTail int64 = 10`;
 * `kubectl logs --help`, v1.32: "--tail … Defaults to -1 with no selector, showing all log lines
 * otherwise 10, if a selector is provided").
 */
function truncatedLogProblems(docs: readonly DocCommand[]): string[] {
  return docs
    .filter((c) => c.argv.includes('logs') && selectorOption(c.argv) && !tailOption(c.argv))
    .map((c) => `${c.file} (${c.section}): \`${c.text}\` reads 10 lines per pod (no --tail=-1)`);
}

type Rollout = KubeObject & { spec: { workloadRef?: { kind: string; name: string } } };

// `kubectl rollout <verb>` on a Deployment, and what does that job for the Rollout that took the
// Deployment over.
const ROLLOUT_EQUIVALENT: Readonly<Record<string, string>> = {
  restart: 'restart',
  undo: 'undo',
  status: 'status',
  history: 'get',
};

/**
 * With the Rollouts layer, a Rollout with `workloadRef` runs the pods and Argo Rollouts scales
 * the Deployment to 0 once the Rollout is healthy (argoproj/argo-rollouts v1.9.1,
 * rollout/sync.go, `WorkloadRef.ScaleDown == ScaleDownOnSuccess`): `kubectl rollout restart`,
 * `undo`, `status` and `history` on the Deployment no longer act on, or tell of, the pods. Each
 * such command must come with its `kubectl argo rollouts` form in the same section.
 */
function rolloutLayerProblems(all: readonly KubeObject[], docs: readonly DocCommand[]): string[] {
  const taken = new Set(
    ofKind<Rollout>(
      all.map((object) => ({ file: '', object })),
      'Rollout',
    )
      .filter((r) => r.spec.workloadRef?.kind === 'Deployment')
      .map((r) => `${r.metadata.namespace}/${r.spec.workloadRef!.name}`),
  );
  return docs.flatMap((command) => {
    const at = command.argv.indexOf('rollout');
    const verb = at > 0 ? (command.argv[at + 1] ?? '') : '';
    const equivalent = ROLLOUT_EQUIVALENT[verb];
    if (command.argv[1] === 'argo' || !equivalent) return [];
    return namedObjects(command.argv, namespace)
      .filter((o) => o.kind === 'Deployment' && taken.has(`${o.namespace}/${o.name}`))
      .filter(
        (o) =>
          !docs.some(
            (other) =>
              other.file === command.file &&
              other.section === command.section &&
              other.argv.slice(1, 4).join(' ') === `argo rollouts ${equivalent}` &&
              namedObjects(other.argv, namespace).some(
                (r) => r.kind === 'Rollout' && r.name === o.name,
              ),
          ),
      )
      .map(
        (o) =>
          `${command.file} (${command.section}): \`${command.text}\` has no ` +
          `\`kubectl argo rollouts ${equivalent} ${o.name}\` beside it for the Rollouts layer`,
      );
  });
}

describe('5g. the commands of the docs', () => {
  it('are found: kubectl, argocd and flux, in fenced blocks and inline', () => {
    const tools = new Set(commands.map((c) => c.argv[0]));
    expect([...tools].sort()).toEqual(['argocd', 'flux', 'kubectl']);
    expect(commands.length).toBeGreaterThan(50);
  });

  it('name only objects that exist: in dist/, or made by a controller or by hand', () => {
    expect(missingObjectProblems(shipped, commands)).toEqual([]);
  });

  it('read every log line when they select pods by label', () => {
    expect(truncatedLogProblems(commands)).toEqual([]);
  });

  it('give the Rollouts form beside each rollout command on a Deployment a Rollout takes over', () => {
    expect(rolloutLayerProblems(shipped, commands)).toEqual([]);
  });

  it('report a unit that does not exist, a truncated log, a Deployment-only restart', () => {
    const doc = (text: string): DocCommand[] =>
      docCommands('broken.md', `## Broken\n\n\`\`\`sh\n${text}\n\`\`\`\n`);
    expect(
      missingObjectProblems(shipped, [
        ...doc('flux suspend kustomization aviary -n flux-system'),
        ...doc('argocd app set aviary --sync-policy none'),
        ...doc('kubectl -n aviary describe hpa birds'),
        ...doc('kubectl delete priorityclass aviary-never-shipped'),
      ]),
    ).toEqual([
      'broken.md (Broken): `flux suspend kustomization aviary -n flux-system` names Kustomization flux-system/aviary, which does not exist',
      'broken.md (Broken): `argocd app set aviary --sync-policy none` names Application /aviary, which does not exist',
      'broken.md (Broken): `kubectl -n aviary describe hpa birds` names HorizontalPodAutoscaler aviary/birds, which does not exist',
      'broken.md (Broken): `kubectl delete priorityclass aviary-never-shipped` names PriorityClass /aviary-never-shipped, which does not exist',
    ]);
    // A quoted jsonpath is one word, not an object name.
    expect(
      namedObjects(
        words(`kubectl get pods -A -o jsonpath='{range .items[*]}{.x}{end}'`),
        namespace,
      ),
    ).toEqual([]);
    expect(
      truncatedLogProblems(doc('kubectl -n aviary logs -l app.kubernetes.io/name=bird')),
    ).toEqual([
      'broken.md (Broken): `kubectl -n aviary logs -l app.kubernetes.io/name=bird` reads 10 lines per pod (no --tail=-1)',
    ]);
    expect(
      rolloutLayerProblems(shipped, doc('kubectl -n aviary rollout restart deployment/bird-image')),
    ).toEqual([
      'broken.md (Broken): `kubectl -n aviary rollout restart deployment/bird-image` has no `kubectl argo rollouts restart bird-image` beside it for the Rollouts layer',
    ]);
    expect(
      rolloutLayerProblems(
        shipped,
        doc(
          'kubectl -n aviary rollout restart deployment/bird-image\nkubectl argo rollouts restart bird-image -n aviary',
        ),
      ),
    ).toEqual([]);
  });
});
