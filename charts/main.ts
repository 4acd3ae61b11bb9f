import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'cdk8s';
import { ArgoCdChart } from './argocd-chart.js';
import { selectedEnvironment } from './environments.js';
import { FluxChart, fluxServiceAccount } from './flux-chart.js';
import { defineUnit } from './gitops-units.js';
import { kubePrometheusStackValues } from './helm-values.js';
import { GITOPS_FOLDER, MONITORING_FOLDER } from './layout.js';
import { MonitoringChart } from './monitoring-chart.js';
import { NamespaceChart } from './namespace-chart.js';
import { MONITORING_STORAGE_CLASS, PlatformChart } from './platform-chart.js';
import { ServicesChart } from './services-chart.js';
import { outputFolder, repositoryFile, synthesize, SynthUsageError } from './synthesize.js';

// Which environment to synthesize; the committed dist/ is production.
const env = selectedEnvironment();

let outdir: string;
try {
  outdir = outputFolder();
} catch (error) {
  if (!(error instanceof SynthUsageError)) throw error;
  process.stderr.write(`synth: ${error.message}\n`);
  process.exit(2);
}

// Built-in kinds only: `kubectl apply -f dist` works on a vanilla cluster.
const cluster = new App({ outdir });
const platform = new PlatformChart(cluster, 'platform');
const namespace = new NamespaceChart(cluster, 'namespace', { namespace: env.namespace });
const services = new ServicesChart(cluster, 'services', {
  namespace: env.namespace,
  imageRegistry: env.imageRegistry,
  imageTag: env.imageTag,
  hostname: env.hostname,
  tlsSecretName: env.tlsSecretName,
  clusterIssuer: env.clusterIssuer,
  replicas: env.replicas,
  ingressControllerNamespace: env.ingressControllerNamespace,
  monitoringNamespace: env.monitoringNamespace,
  priorityClassName: platform.priorityClassName,
  birdInternetEgress: env.birdInternetEgress,
});
// Chart dependencies make cdk8s number the files (0000-platform, 0001-namespace, …), and
// kubectl applies files in that order: PriorityClass and Namespace before the pods.
namespace.addDependency(platform);
services.addDependency(namespace);

// CRD kinds go to sub-folders, one App per folder (cdk8s writes an App's charts flat).
const monitoring = new App({ outdir: path.join(cluster.outdir, MONITORING_FOLDER) });
const monitoringChart = new MonitoringChart(monitoring, 'monitoring', {
  namespace: env.namespace,
  services: [services.birdImage, services.bird],
  prometheusSelectorLabels: env.prometheusSelectorLabels,
  tlsSecretName: env.tlsSecretName,
  // The runbook as the synced branch has it: the alerts and their runbook change together.
  runbookUrl: `${env.gitops.repoUrl.replace(/\.git$/, '')}/blob/${env.gitops.branch}/docs/runbook.md`,
});

// What GitOps syncs, unit by unit: the services never wait for an optional folder. An optional
// layer (its own sub-folder of CRD kinds) is one more unit that depends on 'services'.
const namespacedUnits = [
  defineUnit({ name: 'services', charts: [services], dependsOn: ['platform'] }),
  defineUnit({
    name: 'monitoring',
    charts: [monitoringChart],
    folder: MONITORING_FOLDER,
    dependsOn: ['services'],
  }),
];
// The identities Flux applies them as, allowed exactly their kinds. The Roles belong to the
// platform unit, so they are added before that unit takes stock of its kinds.
for (const unit of namespacedUnits) {
  const serviceAccount = fluxServiceAccount(unit);
  namespace.allowDeployer({ name: `gitops-${unit.name}`, kinds: unit.kinds, serviceAccount });
}
const units = [
  defineUnit({ name: 'platform', charts: [platform, namespace], scope: 'cluster' }),
  ...namespacedUnits,
];
const gitops = new App({ outdir: path.join(cluster.outdir, GITOPS_FOLDER) });
const source = { repoUrl: env.gitops.repoUrl, branch: env.gitops.branch, path: env.gitops.path };
new ArgoCdChart(gitops, 'argocd', { ...source, units, destinationNamespace: env.namespace });
new FluxChart(gitops, 'flux', { ...source, units });

synthesize([cluster, monitoring, gitops]);

// The Helm values of the documented monitoring install, from the same StorageClass constant.
const values = repositoryFile(cluster.outdir, 'deploy/kube-prometheus-stack.values.yaml');
if (values) {
  mkdirSync(path.dirname(values), { recursive: true });
  writeFileSync(values, kubePrometheusStackValues({ storageClassName: MONITORING_STORAGE_CLASS }));
}
