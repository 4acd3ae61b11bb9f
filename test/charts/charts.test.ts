import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgoCdChart, type ArgoCdChartProps } from '../../charts/argocd-chart.js';
import { production } from '../../charts/environments.js';
import { FluxChart, type FluxChartProps } from '../../charts/flux-chart.js';
import { NamespaceChart } from '../../charts/namespace-chart.js';
import { defineUnit, type GitOpsUnit } from '../../charts/gitops-units.js';
import { monitoringStorageClass, PlatformChart } from '../../charts/platform-chart.js';
import { ServicesChart, type ServicesChartProps } from '../../charts/services-chart.js';
import { synthesize } from '../../charts/synthesize.js';
import type { ConfigMap, Deployment, KubeObject, NetworkPolicy } from '../support/k8s-types.js';
import { gitIgnored } from './support/layout.js';
import { listFiles } from '../support/manifests.js';

const objectsOf = (chart: Chart) => Testing.synth(chart) as KubeObject[];
const find = <T extends KubeObject>(objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as T;
/** A GitOps chart as main.ts builds it, from the production environment, with `props` over it. */
function gitOpsChart<Props extends ArgoCdChartProps | FluxChartProps, C extends Chart>(
  GitOpsChart: new (scope: App, id: string, props: Props) => C,
  defaultId: string,
) {
  return (props: Partial<Props> & Pick<Props, 'units'>, app = Testing.app(), id = defaultId) =>
    new GitOpsChart(app, id, {
      ...production.gitops,
      destinationNamespace: production.namespace,
      ...props,
    } as Props);
}
const argoCd = gitOpsChart(ArgoCdChart, 'argocd');
const flux = gitOpsChart(FluxChart, 'flux');

describe('PlatformChart', () => {
  const objects = objectsOf(new PlatformChart(Testing.app(), 'platform', { namespace: 'birds' }));

  it('renders the same objects as last time', () => {
    expect(objects).toMatchSnapshot();
  });

  it('defines the Longhorn StorageClass of docs/contract.md#storage, under a name Longhorn does not own', () => {
    expect(
      find(objects, 'StorageClass', monitoringStorageClass(production.gitops.namePrefix)),
    ).toMatchObject({
      apiVersion: 'storage.k8s.io/v1',
      provisioner: 'driver.longhorn.io',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters: { numberOfReplicas: '3', staleReplicaTimeout: '2880' },
    });
  });

  it('defines a non-default PriorityClass that never preempts', () => {
    expect(find(objects, 'PriorityClass', 'aviary-web-0-never')).toMatchObject({
      apiVersion: 'scheduling.k8s.io/v1',
      value: 0,
      globalDefault: false,
      preemptionPolicy: 'Never',
    });
  });

  it('creates a cluster-scoped Namespace enforcing the restricted profile, first', () => {
    const namespace = find(objects, 'Namespace', 'birds');
    expect(objects[0]).toBe(namespace);
    expect(namespace.metadata.namespace).toBeUndefined();
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('protects every object from GitOps pruning', () => {
    for (const object of objects) {
      expect(object.metadata.annotations).toEqual({
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      });
    }
  });

  it('rejects a priority in the system range', () => {
    expect(
      () => new PlatformChart(Testing.app(), 'p', { namespace: 'birds', priority: 2_000_000_000 }),
    ).toThrowError(
      /PlatformChart "p": invalid priority 2000000000: use a whole number from 0 to 1000000000/,
    );
  });
});

describe('NamespaceChart', () => {
  const chart = new NamespaceChart(Testing.app(), 'namespace', {
    namespace: 'birds',
    peakPods: 45,
  });
  const serviceAccount = { name: 'birds-services', namespace: 'flux-system' };
  chart.allowDeployer({
    name: 'gitops-services',
    kinds: [{ group: 'apps', kind: 'Deployment' }],
    serviceAccount,
  });
  const objects = objectsOf(chart);
  const handedOver = chart.handedOver
    .flatMap((scope) => scope.node.findAll())
    .filter((object) => object instanceof ApiObject);

  it('renders the same objects as last time', () => {
    expect(objects).toMatchSnapshot();
  });

  it("puts the quota, LimitRange, network policies and a deployer's Role in the namespace", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ResourceQuota/birds/birds',
      'LimitRange/birds/birds',
      'NetworkPolicy/birds/default-deny',
      'NetworkPolicy/birds/allow-dns',
      'Role/birds/gitops-services',
      'RoleBinding/birds/gitops-services',
    ]);
    expect(find(objects, 'ResourceQuota', 'birds').spec).toMatchObject({ hard: { pods: '45' } });
    expect(find<NetworkPolicy>(objects, 'NetworkPolicy', 'default-deny').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress', 'Ingress'],
    });
    expect(find(objects, 'RoleBinding', 'gitops-services')).toMatchObject({
      roleRef: { kind: 'Role', name: 'gitops-services' },
      subjects: [{ kind: 'ServiceAccount', ...serviceAccount }],
    });
  });

  it("hands all but the network policies over to Flux's bootstrap file, marked prune-disabled", () => {
    expect(handedOver.map((o) => o.kind)).toEqual([
      'ResourceQuota',
      'LimitRange',
      'Role',
      'RoleBinding',
    ]);
    for (const object of objects) {
      expect(object.metadata.annotations).toEqual(
        object.kind === 'NetworkPolicy'
          ? undefined
          : { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
      );
    }
  });

  it('rejects a namespace that is not a DNS label', () => {
    expect(
      () => new NamespaceChart(Testing.app(), 'n', { namespace: 'Birds', peakPods: 1 }),
    ).toThrowError(/NamespaceChart "n": invalid namespace "Birds"/);
  });
});

describe('ServicesChart', () => {
  const chart = (props: Partial<ServicesChartProps> = {}) =>
    objectsOf(new ServicesChart(Testing.app(), 'services', { ...production, ...props }));

  it('points bird at birdImage through its Service, on the embedded catalog', () => {
    const data = find<ConfigMap>(chart(), 'ConfigMap', 'bird').data;
    expect(data).toMatchObject({
      BIRD_IMAGE_URL: 'http://bird-image',
      UPSTREAM_TIMEOUT_MS: '2000',
    });
    expect(data).not.toHaveProperty('BIRD_FACTS_URL');
  });

  it('gives birdImage the Unsplash key as an optional mounted Secret', () => {
    const objects = chart();
    expect(find<ConfigMap>(objects, 'ConfigMap', 'bird-image').data).toMatchObject({
      UNSPLASH_API_URL: 'https://api.unsplash.com',
      UNSPLASH_ACCESS_KEY_FILE: '/var/run/secrets/unsplash/access-key',
    });
    const pod = find<Deployment>(objects, 'Deployment', 'bird-image').spec.template.spec;
    expect(pod.volumes?.find((volume) => volume.secret)?.secret).toMatchObject({
      secretName: 'unsplash',
      optional: true,
    });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('keeps bird off the internet unless asked', () => {
    const egressOf = (objects: KubeObject[]) =>
      find<NetworkPolicy>(objects, 'NetworkPolicy', 'bird-allow-egress').spec.egress ?? [];
    expect(egressOf(chart()).some((rule) => rule.to?.some((peer) => peer.ipBlock))).toBe(false);
    const remote = chart({
      birdFactsUrl: 'https://birds.example.com/api',
      birdInternetEgress: true,
    });
    expect(egressOf(remote).some((rule) => rule.to?.some((peer) => peer.ipBlock))).toBe(true);
    expect(find<ConfigMap>(remote, 'ConfigMap', 'bird').data?.BIRD_FACTS_URL).toBe(
      'https://birds.example.com/api',
    );
  });

  it('carries environment values into every object', () => {
    const objects = chart({
      namespace: 'aviary-staging',
      imageTag: '0.2.0-rc.1',
      hostname: 'staging.example.com',
    });
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['aviary-staging']));
    expect(
      find<Deployment>(objects, 'Deployment', 'bird').spec.template.spec.containers[0]?.image,
    ).toBe('ghcr.io/aviary-dev/aviary-bird:0.2.0-rc.1');
    expect(JSON.stringify(find(objects, 'Ingress', 'bird'))).toContain('staging.example.com');
  });

  it('rejects invalid environment values', () => {
    expect(() => chart({ replicas: { min: 4, max: 2 } })).toThrowError(
      /WebService "bird-image": invalid replicas \{"min":4,"max":2\}/,
    );
    expect(() => chart({ imageTag: 'latest' })).toThrowError(/invalid image.tag "latest"/);
  });
});

describe('GitOps charts', () => {
  const app = Testing.app();
  const namespace = new NamespaceChart(app, 'namespace', {
    namespace: production.namespace,
    peakPods: 10,
  });
  const units: GitOpsUnit[] = [
    defineUnit({
      name: 'platform',
      charts: [namespace],
      bootstrap: [new PlatformChart(app, 'platform', { namespace: production.namespace })],
      handedOver: namespace.handedOver,
      scope: 'cluster',
    }),
    defineUnit({
      name: 'services',
      charts: [new ServicesChart(app, 'services', production)],
      dependsOn: ['platform'],
    }),
    defineUnit({
      name: 'extra',
      charts: [new Chart(app, 'extra')],
      folder: 'extra',
      dependsOn: ['services'],
    }),
  ];

  it('defines units from charts: files by chart id, a folder as a whole, kinds by scope', () => {
    expect(units.map((u) => [u.name, u.paths, u.scope])).toEqual([
      ['platform', ['*-platform.k8s.yaml', '*-namespace.k8s.yaml'], 'cluster'],
      ['services', ['*-services.k8s.yaml'], 'namespace'],
      ['extra', ['extra/'], 'namespace'],
    ]);
    expect(units[0]!.clusterKinds.map((k) => k.kind)).toEqual([
      'Namespace',
      'PriorityClass',
      'StorageClass',
    ]);
    expect(units[1]!.clusterKinds).toEqual([]);
    expect(units[1]!.kinds).toContainEqual({ group: 'apps', kind: 'Deployment' });
  });

  it("leaves handed-over objects to Argo CD and the bootstrap file, not to Flux's unit", () => {
    const platform = units[0]!;
    expect(platform.kinds.map((k) => k.kind)).toEqual([
      'LimitRange',
      'ResourceQuota',
      'NetworkPolicy',
    ]);
    expect(platform.fluxKinds.map((k) => k.kind)).toEqual(['NetworkPolicy']);
    expect(platform.bootstrap.paths).toEqual(['*-platform.k8s.yaml']);
    expect(platform.bootstrap.deletedFromBuild).toEqual([
      { apiVersion: 'v1', kind: 'ResourceQuota', name: 'aviary', namespace: 'aviary' },
      { apiVersion: 'v1', kind: 'LimitRange', name: 'aviary', namespace: 'aviary' },
    ]);
    expect(platform.bootstrap.manifests.map((m) => m.kind)).toEqual([
      'Namespace',
      'PriorityClass',
      'StorageClass',
      'ResourceQuota',
      'LimitRange',
    ]);
  });

  it("rejects a handed-over construct outside the unit's charts", () => {
    const app = Testing.app();
    const other = new NamespaceChart(app, 'other', { namespace: 'birds', peakPods: 1 });
    expect(() =>
      defineUnit({
        name: 'p',
        charts: [new Chart(app, 'own')],
        handedOver: other.handedOver,
        scope: 'cluster',
      }),
    ).toThrowError(/GitOps unit "p": invalid handedOver \["other\/Bounds"\]: hand over constructs/);
  });

  it('rejects a handed-over kind of which the unit keeps an object in the same namespace', () => {
    const app = Testing.app();
    const own = new NamespaceChart(app, 'own', { namespace: 'birds', peakPods: 1 });
    new ApiObject(own, 'KeptQuota', {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'kept', namespace: 'birds' },
    });
    expect(() =>
      defineUnit({ name: 'p', charts: [own], handedOver: own.handedOver, scope: 'cluster' }),
    ).toThrowError(/GitOps unit "p": invalid handedOver \["own\/KeptQuota"\]: hand over every/);
  });

  it('rejects a namespaced unit holding cluster-scoped objects', () => {
    expect(() =>
      defineUnit({
        name: 'p',
        charts: [new PlatformChart(Testing.app(), 'p', { namespace: 'birds' })],
      }),
    ).toThrowError(
      /GitOps unit "p": invalid charts \["Namespace","PriorityClass","StorageClass"\]: move cluster-scoped objects/,
    );
  });

  it('Argo CD: an Application per unit, in its own AppProject, retrying', () => {
    const objects = objectsOf(argoCd({ units, path: 'deploy/prod', branch: 'release' }));
    expect(objects).toMatchSnapshot();
    expect(find(objects, 'Application', 'aviary-services').spec).toMatchObject({
      project: 'aviary-services',
      source: {
        path: 'deploy/prod',
        targetRevision: 'release',
        directory: { recurse: false, include: '*-services.k8s.yaml' },
      },
      syncPolicy: { automated: { prune: true, selfHeal: true }, retry: { limit: -1 } },
    });
    expect(find(objects, 'Application', 'aviary-extra').spec).toMatchObject({
      source: { path: 'deploy/prod/extra', directory: { recurse: true } },
    });
    expect(find(objects, 'AppProject', 'aviary-services').spec).toMatchObject({
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'aviary' }],
      clusterResourceWhitelist: [],
    });
  });

  it('Argo CD: ignores and keeps the fields another controller writes, only where there are some', () => {
    const app = Testing.app();
    const replicas = {
      group: 'apps',
      kind: 'Deployment',
      name: 'bird',
      jsonPointer: '/spec/replicas',
    };
    const taken = defineUnit({
      name: 'services',
      charts: [new ServicesChart(app, 'services', production)],
      controllerFields: [replicas],
    });
    const objects = objectsOf(argoCd({ units: [taken, units[2]!] }, app));
    expect(find(objects, 'Application', 'aviary-services').spec).toMatchObject({
      ignoreDifferences: [
        { group: 'apps', kind: 'Deployment', name: 'bird', jsonPointers: ['/spec/replicas'] },
      ],
      syncPolicy: { syncOptions: ['RespectIgnoreDifferences=true'] },
    });
    const plain = find(objects, 'Application', 'aviary-extra').spec as Record<string, object>;
    expect(plain).not.toHaveProperty('ignoreDifferences');
    expect(plain.syncPolicy).not.toHaveProperty('syncOptions');
  });

  it('Flux: waits for health unless the unit says its kinds have no status Flux can read', () => {
    const app = Testing.app();
    const unread = defineUnit({
      name: 'unread',
      charts: [new Chart(app, 'unread')],
      folder: 'unread',
      waitForHealth: false,
    });
    const objects = objectsOf(flux({ units: [units[1]!, unread] }, app));
    expect(find(objects, 'Kustomization', 'aviary-services').spec).toMatchObject({ wait: true });
    expect(find(objects, 'Kustomization', 'aviary-unread').spec).toMatchObject({ wait: false });
  });

  it('rejects a controller field on an object the unit does not hold', () => {
    const field = {
      group: '',
      kind: 'Service',
      name: 'bird-canary',
      jsonPointer: '/spec/selector',
    };
    expect(() =>
      defineUnit({
        name: 's',
        charts: [new ServicesChart(Testing.app(), 'services', production)],
        controllerFields: [field],
      }),
    ).toThrowError(/GitOps unit "s": invalid controllerFields .*bird-canary.*: name an object/);
  });

  it('Flux: a source and a Kustomization per unit, each as its own ServiceAccount', () => {
    const objects = objectsOf(flux({ units, path: 'deploy/prod' }));
    expect(objects).toMatchSnapshot();
    // A folder below another: git brings back no file of a dropped folder, so each level is
    // brought back, then emptied.
    const levels = '/*\n!/deploy/\n/deploy/*\n!/deploy/prod/\n/deploy/prod/*\n';
    const services = find(objects, 'GitRepository', 'aviary-services').spec as { ignore: string };
    expect(services.ignore).toBe(`${levels}!/deploy/prod/*-services.k8s.yaml\n`);
    expect(gitIgnored(services.ignore, 'deploy/prod/0002-services.k8s.yaml')).toBe(false);
    expect(gitIgnored(services.ignore, 'deploy/prod/0001-namespace.k8s.yaml')).toBe(true);
    expect(gitIgnored(services.ignore, 'deploy/other.yaml')).toBe(true);
    expect(find(objects, 'GitRepository', 'aviary-extra').spec).toMatchObject({
      ignore: `${levels}!/deploy/prod/extra/\n`,
    });
    expect(find(objects, 'Kustomization', 'aviary-services').spec).toMatchObject({
      path: './deploy/prod',
      prune: true,
      dependsOn: [{ name: 'aviary-platform' }],
      serviceAccountName: 'aviary-services',
      sourceRef: { kind: 'GitRepository', name: 'aviary-services' },
    });
    // The cluster unit too: the bootstrap file applies its Namespace, PriorityClass and
    // StorageClass, which its source leaves out and its identity may only get, by name (no
    // namespace on either RBAC object: cdk8s must not write one); the rest in the application's
    // namespace, which the bootstrap file creates first.
    expect(find(objects, 'Kustomization', 'aviary-platform').spec).toMatchObject({
      serviceAccountName: 'aviary-platform',
      // What the bootstrap file applies from the unit's own files is deleted from its build.
      patches: ['ResourceQuota', 'LimitRange'].map((kind) => ({
        patch: `$patch: delete\napiVersion: v1\nkind: ${kind}\nmetadata:\n  name: each-selected-object\n  namespace: aviary\n`,
        // By kind and namespace only: every such object, whatever its name.
        target: { version: 'v1', kind, namespace: 'aviary' },
      })),
    });
    const platformSpec = find(objects, 'Kustomization', 'aviary-platform').spec as {
      patches: { target: object }[];
    };
    for (const { target } of platformSpec.patches) expect(target).not.toHaveProperty('name');
    expect(find(objects, 'Kustomization', 'aviary-services').spec).not.toHaveProperty('patches');
    const platform = find(objects, 'GitRepository', 'aviary-platform').spec as { ignore: string };
    expect(gitIgnored(platform.ignore, 'deploy/prod/0000-platform.k8s.yaml')).toBe(true);
    for (const kind of ['PriorityClass', 'StorageClass']) {
      expect(objects.filter((o) => o.kind === kind)).toHaveLength(1);
    }
    const clusterRole = find(objects, 'ClusterRole', 'aviary-platform') as unknown as {
      rules: { resources: string[]; resourceNames: string[]; verbs: string[] }[];
    };
    expect(clusterRole.rules.map((r) => [r.resources, r.resourceNames, r.verbs])).toEqual([
      [['namespaces'], ['aviary'], ['get']],
      [['priorityclasses'], ['aviary-web-0-never'], ['get']],
      [['storageclasses'], ['aviary-longhorn'], ['get']],
    ]);
    for (const name of ['aviary-services', 'aviary-platform']) {
      expect(find(objects, 'ServiceAccount', name).metadata.namespace).toBe('flux-system');
    }
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Namespace']) {
      expect(objects.filter((o) => o.kind === kind)).toHaveLength(1);
    }
    for (const kind of ['ClusterRole', 'ClusterRoleBinding']) {
      expect(find(objects, kind, 'aviary-platform').metadata).not.toHaveProperty('namespace');
    }
    for (const kind of ['Role', 'RoleBinding']) {
      expect(find(objects, kind, 'gitops-platform').metadata.namespace).toBe('aviary');
    }
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf('Namespace')).toBeLessThan(kinds.indexOf('RoleBinding'));
  });

  it.each(['flux-system', 'kube-system', 'birds', 'aviaryx', 'aviar'])(
    "Flux refuses %s as the application's namespace, where the platform identity would rule",
    (namespace) => {
      expect(() =>
        flux({ units, destinationNamespace: namespace }, Testing.app(), 'f'),
      ).toThrowError(
        new RegExp(
          `FluxChart "f": invalid destinationNamespace "${namespace}": use a namespace of the application's own`,
        ),
      );
    },
  );

  it.each(['aviary', 'aviary-qa'])(
    'Flux accepts %s, a namespace named by its prefix',
    (namespace) => {
      expect(() =>
        flux({ units, destinationNamespace: namespace }, Testing.app(), 'f'),
      ).not.toThrow();
    },
  );

  it('rejects a repository that is not a URL and an absolute path', () => {
    expect(() => flux({ units, repoUrl: 'github.com/aviary' }, Testing.app(), 'f')).toThrowError(
      /FluxChart "f": invalid repoUrl "github.com\/aviary": use an https:\/\/ or ssh:\/\/ URL/,
    );
    expect(() => argoCd({ units, path: '/dist' }, Testing.app(), 'a')).toThrowError(
      /ArgoCdChart "a": invalid path "\/dist"/,
    );
  });

  it.each(['/dist', 'dist/', './dist', 'deploy/../dist', 'deploy//prod', 'my dist', ''])(
    'Argo CD and Flux both refuse the folder %j',
    (path) => {
      const fix = /use a folder relative to the repository root/;
      expect(() => argoCd({ units, path }, Testing.app(), 'a')).toThrowError(fix);
      expect(() => flux({ units, path }, Testing.app(), 'f')).toThrowError(fix);
    },
  );
});

describe('synthesize', () => {
  let outdir: string;
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it('writes no file and no folder for an empty chart', () => {
    outdir = mkdtempSync(path.join(tmpdir(), 'aviary-'));
    const monitoring = new App({ outdir: path.join(outdir, 'monitoring') });
    new Chart(monitoring, 'monitoring');
    const gitops = new App({ outdir: path.join(outdir, 'gitops') });
    const unit = defineUnit({ name: 'x', charts: [new Chart(Testing.app(), 'x')] });
    argoCd({ units: [unit] }, gitops);
    new Chart(gitops, 'empty');
    synthesize([monitoring, gitops]);
    expect(listFiles(outdir)).toEqual(['gitops/argocd.k8s.yaml']);
  });

  it('numbers dependent charts so kubectl applies them in order', () => {
    outdir = mkdtempSync(path.join(tmpdir(), 'aviary-'));
    const app = new App({ outdir });
    const services = new ServicesChart(app, 'services', production);
    const platform = new PlatformChart(app, 'platform', production);
    services.addDependency(platform);
    synthesize([app]);
    expect(listFiles(outdir)).toEqual(['0000-platform.k8s.yaml', '0001-services.k8s.yaml']);
    expect(readFileSync(path.join(outdir, '0000-platform.k8s.yaml'), 'utf8')).toMatch(
      /^apiVersion: v1\nkind: Namespace\n/,
    );
  });
});

describe('environments', () => {
  it('production holds the values docs/contract.md#environments names', () => {
    expect(production).toMatchObject({
      namespace: 'aviary',
      imageRegistry: 'ghcr.io/aviary-dev',
      replicas: { min: 2, max: 10 },
      birdInternetEgress: false,
    });
    expect(production.imageTag).toMatch(/^\d+\.\d+\.\d+/);
  });
});
