/**
 * Issue 11: dist/ against the add-ons of the cluster the README describes. Each `describe` is one
 * point of the issue; each fails on the dist/ that preceded it (`AVIARY_DIST=<old dist> npx
 * vitest run test/charts/addons.test.ts`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CERT_MANAGER_FILES } from '../../charts/cert-manager-install.js';
import { production } from '../../charts/environments.js';
import { kubePrometheusStackValues } from '../../charts/helm-values.js';
import { GITOPS_FOLDER } from '../../charts/layout.js';
import { monitoringStorageClass } from '../../charts/platform-chart.js';
import { addOnPodProblems, ingressAllowed } from './support/admission.js';
import {
  ADD_ONS,
  acmeSolverService,
  addOnPods,
  certManager,
  APP_NAMESPACE,
  type AcmeIssuer,
} from './support/addons.js';
import { gitopsIdentityProblems } from './support/gitops-identity.js';
import { CLUSTER_SCOPED } from './support/hygiene.js';
import type { Deployment, HorizontalPodAutoscaler, KubeObject } from '../support/k8s-types.js';
import {
  DIST,
  listFiles,
  loadManifests,
  mutate,
  ofKind,
  type Manifest,
} from '../support/manifests.js';
import { parseQuantity } from '../../charts/quantities.js';
import { alertingRules } from '../monitoring/support/sources.js';

const manifests = loadManifests();
const files = listFiles();
const namespace = production.namespace;
const pods = addOnPods(namespace);
const pod = (name: string) => pods.find((p) => p.name.startsWith(name))!;

/** Objects of dist/ that take a name an add-on creates and reconciles. */
function ownedNameProblems(all: readonly Manifest[]): string[] {
  return ADD_ONS.flatMap((addOn) =>
    addOn.owns
      .filter(({ kind, name }) =>
        all.some((m) => m.object.kind === kind && m.object.metadata.name === name),
      )
      .map(({ kind, name }) => `${kind} ${name} belongs to ${addOn.name} ${addOn.version}`),
  );
}

describe('1. no name an add-on owns; the monitoring StorageClass is used', () => {
  it('takes no name Longhorn, ingress-nginx, cert-manager or kube-prometheus-stack create', () => {
    expect(ownedNameProblems(manifests)).toEqual([]);
  });

  it('reports the longhorn StorageClass Longhorn re-creates', () => {
    const broken = mutate<KubeObject>(
      manifests,
      'StorageClass',
      monitoringStorageClass(production.gitops.namePrefix),
      (s) => {
        s.metadata.name = 'longhorn';
      },
    );
    expect(ownedNameProblems(broken)).toEqual([
      'StorageClass longhorn belongs to Longhorn v1.12.1',
    ]);
  });

  it('is the StorageClass the documented monitoring install selects', () => {
    const file = path.resolve(DIST, '..', 'deploy', 'kube-prometheus-stack.values.yaml');
    const committed = readFileSync(file, 'utf8');
    expect(committed).toBe(
      kubePrometheusStackValues({
        storageClassName: monitoringStorageClass(production.gitops.namePrefix),
        namespace: production.monitoringNamespace,
        releaseName: String(production.prometheusSelectorLabels.release),
      }),
    );
    const values = parse(committed) as {
      prometheus: {
        prometheusSpec: {
          storageSpec: { volumeClaimTemplate: { spec: { storageClassName: string } } };
        };
      };
    };
    const selected =
      values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName;
    // Flux's bootstrap file applies the same object.
    const names = ofKind<KubeObject>(manifests, 'StorageClass').map((s) => s.metadata.name);
    expect([...new Set(names)]).toEqual([selected]);
  });
});

describe("2. cert-manager's HTTP-01 solver is admitted and reachable", () => {
  const solver = pod('cm-acme-http-solver');
  const inNamespace = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, namespace } });
  // The Service the documented ClusterIssuer makes cert-manager create (issue 19, 5e).
  const issuer = parse(
    readFileSync(path.resolve(DIST, '..', CERT_MANAGER_FILES.clusterIssuer), 'utf8'),
  ) as AcmeIssuer;
  const services = [inNamespace(acmeSolverService(issuer))];

  it('passes Pod Security, LimitRange, quota and NetworkPolicy as cert-manager creates it', () => {
    expect(solver.namespace).not.toBe(APP_NAMESPACE);
    expect(addOnPodProblems(manifests, solver, services, pods)).toEqual([]);
  });

  it("reports an issuer that leaves the solver's Service at cert-manager's NodePort default", () => {
    const nodePortServices = certManager.objects!.map(inNamespace);
    expect(addOnPodProblems(manifests, solver, nodePortServices, pods)).toContainEqual(
      expect.stringMatching(/services.nodeports 0 refuses 1 node port/),
    );
  });

  it('reports a namespace without the solver policy', () => {
    const noPolicy = manifests.filter((m) => m.object.metadata.name !== 'bird-allow-acme-http01');
    expect(addOnPodProblems(noPolicy, solver, services, pods)).toContainEqual(
      expect.stringMatching(/ingress-nginx-controller may not reach it on port 8089/),
    );
  });
});

/** PriorityClasses that could preempt, or outrank under node pressure, an add-on's pods. */
function priorityProblems(all: readonly Manifest[]): string[] {
  const platformPriority = Math.min(...pods.map((p) => p.spec.priority ?? 0));
  type PriorityClass = KubeObject & { value: number; preemptionPolicy?: string };
  return ofKind<PriorityClass>(all, 'PriorityClass').flatMap((pc) => [
    ...(pc.preemptionPolicy !== 'Never'
      ? [`${pc.metadata.name}: preemptionPolicy ${pc.preemptionPolicy ?? 'PreemptLowerPriority'}`]
      : []),
    ...(pc.value > platformPriority
      ? [`${pc.metadata.name}: value ${pc.value} above the platform's ${platformPriority}`]
      : []),
  ]);
}

describe('3. the PriorityClass never preempts the platform', () => {
  it('never preempts, and ranks no higher than any add-on pod', () => {
    expect(priorityProblems(manifests)).toEqual([]);
  });

  it('reports a class that preempts or outranks ingress-nginx', () => {
    const broken = mutate<KubeObject>(manifests, 'PriorityClass', 'aviary-web-0-never', (pc) => {
      Object.assign(pc, { value: 100000, preemptionPolicy: 'PreemptLowerPriority' });
    });
    expect(priorityProblems(broken)).toEqual([
      'aviary-web-0-never: preemptionPolicy PreemptLowerPriority',
      "aviary-web-0-never: value 100000 above the platform's 0",
    ]);
  });
});

// The most a pod keeps after a burst (bench/HISTORY.md, section 4: peak RSS 103–109 MB).
const WORKING_SET_AT_REST = 110e6;

/** The replicas the HPA controller wants at `replicas` pods using `bytes` each (tolerance 0.1). */
function desiredReplicas(
  hpa: HorizontalPodAutoscaler,
  deployment: Deployment,
  replicas: number,
  bytes: number,
): number {
  const metric = hpa.spec.metrics?.find((m) => m.resource?.name === 'memory')?.resource?.target;
  if (!metric) return 0;
  const request = parseQuantity(
    deployment.spec.template.spec.containers[0]!.resources?.requests?.memory,
  );
  const target =
    metric.type === 'Utilization'
      ? (request * metric.averageUtilization!) / 100
      : parseQuantity(metric.averageValue);
  const ratio = bytes / target;
  return Math.abs(ratio - 1) <= 0.1 ? replicas : Math.ceil(replicas * ratio);
}

describe('4. the memory metric lets the autoscalers scale in', () => {
  it('removes a pod at every count above the minimum when pods are at rest', () => {
    const stuck = ofKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler').flatMap(
      (hpa) => {
        const deployment = ofKind<Deployment>(manifests, 'Deployment').find(
          (d) => d.metadata.name === hpa.spec.scaleTargetRef.name,
        )!;
        const min = hpa.spec.minReplicas ?? 1;
        const counts = Array.from({ length: hpa.spec.maxReplicas - min }, (_, i) => min + 1 + i);
        return counts
          .filter((n) => desiredReplicas(hpa, deployment, n, WORKING_SET_AT_REST) >= n)
          .map((n) => `${hpa.metadata.name}: stays at ${n}`);
      },
    );
    expect(stuck).toEqual([]);
  });
});

describe('5. pruning never deletes the Namespace or cluster-scoped objects', () => {
  it('protects them from Argo CD and Flux', () => {
    // Flux's bootstrap file holds the platform identity's ClusterRole and binding: applied by
    // hand and synced by no unit, so no controller ever prunes them.
    const bootstrapped = (m: (typeof manifests)[number]) =>
      m.file.startsWith(`${GITOPS_FOLDER}/`) && m.object.kind.startsWith('ClusterRole');
    const unprotected = manifests
      .filter((m) => CLUSTER_SCOPED.has(m.object.kind) && !bootstrapped(m))
      .filter((m) => {
        const a = m.object.metadata.annotations ?? {};
        return !(
          /Prune=false/.test(a['argocd.argoproj.io/sync-options'] ?? '') &&
          /Delete=false/.test(a['argocd.argoproj.io/sync-options'] ?? '') &&
          a['kustomize.toolkit.fluxcd.io/prune'] === 'disabled'
        );
      })
      .map((m) => `${m.object.kind} ${m.object.metadata.name}`);
    expect(unprotected).toEqual([]);
  });
});

describe('6. only the public API leaves the cluster; only Prometheus scrapes', () => {
  it('routes no operational path through the Ingress', () => {
    const exposed = ofKind<KubeObject>(manifests, 'Ingress').flatMap((ingress) =>
      (
        (ingress.spec as { rules: { http: { paths: { path: string; pathType: string }[] } }[] })
          .rules ?? []
      ).flatMap((rule) =>
        rule.http.paths.flatMap(({ path: p, pathType }) =>
          ['/metrics', '/healthz', '/readyz'].filter((op) =>
            pathType === 'Exact'
              ? op === p
              : op === p || op.startsWith(p.endsWith('/') ? p : `${p}/`),
          ),
        ),
      ),
    );
    expect(exposed).toEqual([]);
  });

  it('admits Prometheus, and no other pod of the monitoring namespace, to the services', () => {
    const reach = (from: string) =>
      ofKind<Deployment>(manifests, 'Deployment').map((d) =>
        ingressAllowed(
          manifests,
          { namespace: d.metadata.namespace!, labels: d.spec.template.metadata?.labels ?? {} },
          d.spec.template.spec.containers[0]!.ports![0]!.containerPort,
          pod(from),
          { http: d.spec.template.spec.containers[0]!.ports![0]!.containerPort },
        ),
      );
    expect(reach('prometheus-')).toEqual([true, true]);
    expect(reach('kube-prometheus-stack-grafana')).toEqual([false, false]);
  });
});

describe('7. GitOps units fail apart and apply with least privilege', () => {
  it('keeps the services apart from CRD kinds, retries, and uses namespaced identities', () => {
    expect(gitopsIdentityProblems(files, manifests)).toEqual([]);
  });

  type Spec = Record<string, unknown>;
  // The services unit's Role with one more rule, on Secrets with `verbs`.
  const grantingOnSecrets = (verbs: string[]) => () =>
    mutate<KubeObject>(manifests, 'Role', 'gitops-services', (r) => {
      (r as unknown as { rules: Spec[] }).rules.push({
        apiGroups: [''],
        resources: ['secrets'],
        verbs,
      });
    });
  const cases: [string, () => Manifest[], RegExp][] = [
    [
      'an Application in the default project',
      () =>
        mutate<KubeObject>(manifests, 'Application', 'aviary-services', (a) => {
          (a.spec as Spec).project = 'default';
        }),
      /Application aviary-services: project default is not an AppProject/,
    ],
    [
      'an Application without retries',
      () =>
        mutate<KubeObject>(manifests, 'Application', 'aviary-monitoring', (a) => {
          delete ((a.spec as Spec).syncPolicy as Spec).retry;
        }),
      /Application aviary-monitoring: no retry/,
    ],
    [
      'an AppProject admitting every kind',
      () =>
        mutate<KubeObject>(manifests, 'AppProject', 'aviary-services', (p) => {
          (p.spec as Spec).clusterResourceWhitelist = [{ group: '*', kind: '*' }];
        }),
      /project aviary-services admits cluster kinds \[\*\/\*\], not \[\]/,
    ],
    [
      'a Kustomization applying as the controller',
      () =>
        mutate<KubeObject>(manifests, 'Kustomization', 'aviary-services', (k) => {
          delete (k.spec as Spec).serviceAccountName;
        }),
      /Kustomization aviary-services: applies namespaced objects with the controller's own/,
    ],
    [
      'a Role that may also manage Secrets',
      grantingOnSecrets(['get', 'create']),
      /aviary-services in aviary lacks \[\] and may also manage \[\/secrets\]/,
    ],
    [
      'a Role that may also read Secrets (no health check reads them)',
      grantingOnSecrets(['get']),
      /aviary-services in aviary may also read \[\/secrets\]/,
    ],
    [
      'the services and the monitoring CRDs in one unit',
      () =>
        mutate<KubeObject>(manifests, 'GitRepository', 'aviary-services', (g) => {
          (g.spec as Spec).ignore =
            '/*\n!/dist/\n/dist/*\n!/dist/*-services.k8s.yaml\n!/dist/monitoring/\n';
        }),
      /Kustomization aviary-services: syncs the Deployments together with CRD kinds/,
    ],
  ];
  it.each(cases)('reports %s', (_, broken, expected) => {
    expect(gitopsIdentityProblems(files, broken())).toContainEqual(expect.stringMatching(expected));
  });
});

describe('8. rollouts, storage, labels and the silent failures', () => {
  const deployments = ofKind<Deployment>(manifests, 'Deployment');

  it('sets ephemeral storage, rollout bounds and a per-ReplicaSet spread', () => {
    const problems = deployments.flatMap((d) => {
      const spec = d.spec as Deployment['spec'] & Record<string, unknown>;
      const at = d.metadata.name;
      const found: string[] = [];
      for (const field of ['revisionHistoryLimit', 'minReadySeconds', 'progressDeadlineSeconds']) {
        if (spec[field] === undefined) found.push(`${at}: no ${field}`);
      }
      for (const c of d.spec.template.spec.containers) {
        if (
          !c.resources?.requests?.['ephemeral-storage'] ||
          !c.resources.limits?.['ephemeral-storage']
        ) {
          found.push(`${at}: ${c.name} has no ephemeral-storage request and limit`);
        }
      }
      for (const t of d.spec.template.spec.topologySpreadConstraints ?? []) {
        if (!(t.matchLabelKeys ?? []).includes('pod-template-hash')) {
          found.push(`${at}: spread over ${t.topologyKey} counts old and new pods together`);
        }
      }
      return found;
    });
    expect(problems).toEqual([]);
  });

  it('labels every object of the services and their pods with app.kubernetes.io/instance', () => {
    // The services, the objects that act on them (synthetic check, Rollouts, VPAs), and the
    // pods of all of these (a CronJob's under jobTemplate).
    const unlabelled = manifests
      .filter((m) => /(-services|-synthetic-check)\.k8s\.yaml$|^(rollouts|vpa)\//.test(m.file))
      .flatMap((m) => {
        type Templated = { template?: { metadata?: { labels?: Record<string, string> } } };
        const spec = m.object.spec as
          (Templated & { jobTemplate?: { spec?: Templated } }) | undefined;
        const template = spec?.template ?? spec?.jobTemplate?.spec?.template;
        return [m.object.metadata.labels, ...(template ? [template.metadata?.labels] : [])]
          .filter((labels) => !labels?.['app.kubernetes.io/instance'])
          .map(() => `${m.object.kind} ${m.object.metadata.name}`);
      });
    expect(unlabelled).toEqual([]);
  });

  it('alerts on a missing Unsplash key and on a certificate near expiry', () => {
    const alerts = alertingRules(manifests).map((r) => r.alert);
    expect(alerts).toEqual(
      expect.arrayContaining(['AviaryUnsplashKeyMissing', 'AviaryCertificateExpiringSoon']),
    );
  });
});
