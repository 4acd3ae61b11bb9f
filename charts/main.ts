import path from 'node:path';
import { App } from 'cdk8s';
import { ArgoCdChart } from './argocd-chart.js';
import { environments } from './environments.js';
import { FluxChart } from './flux-chart.js';
import { GITOPS_FOLDER, MONITORING_FOLDER, ROLLOUTS_FOLDER, VPA_FOLDER } from './layout.js';
import { MonitoringChart } from './monitoring-chart.js';
import { SyntheticCheckRules } from './monitoring/synthetic-check-rules.js';
import { NamespaceChart } from './namespace-chart.js';
import { PlatformChart } from './platform-chart.js';
import { RolloutsChart } from './rollouts-chart.js';
import { ServicesChart } from './services-chart.js';
import { SYNTHETIC_CHECK_NAME, SyntheticCheckChart } from './synthetic-check-chart.js';
import { outputFolder, synthesize } from './synthesize.js';
import { VpaChart } from './vpa-chart.js';

// Which environment to synthesize; the committed dist/ is production.
const environmentName = process.env.AVIARY_ENV ?? 'production';
const env = environments[environmentName];
if (!env) {
  throw new Error(
    `AVIARY_ENV=${JSON.stringify(environmentName)} is not an environment: use one of ` +
      `${Object.keys(environments).join(', ')} (see charts/environments.ts)`,
  );
}

// Built-in kinds only: `kubectl apply -f dist` works on a vanilla cluster.
const cluster = new App({ outdir: outputFolder() });
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
const check = new SyntheticCheckChart(cluster, 'synthetic-check', {
  namespace: env.namespace,
  bird: services.bird,
});
namespace.addDependency(platform);
services.addDependency(namespace);
check.addDependency(services);

// CRD kinds go to sub-folders, one App per folder (cdk8s writes an App's charts flat).
const monitoring = new App({ outdir: path.join(cluster.outdir, MONITORING_FOLDER) });
// The runbook as the synced branch has it: the alerts and their runbook change together.
const runbookUrl = `${env.gitops.repoUrl.replace(/\.git$/, '')}/blob/${env.gitops.branch}/docs/runbook.md`;
new MonitoringChart(monitoring, 'monitoring', {
  namespace: env.namespace,
  services: [services.birdImage, services.bird],
  prometheusSelectorLabels: env.prometheusSelectorLabels,
  dashboardNamespace: env.monitoringNamespace,
  runbookUrl,
});
new SyntheticCheckRules(monitoring, 'synthetic-check', {
  namespace: env.namespace,
  cronJobName: SYNTHETIC_CHECK_NAME,
  runbookUrl,
  labels: { 'app.kubernetes.io/part-of': 'aviary', ...env.prometheusSelectorLabels },
});

// Optional layers, each needing its CRDs (docs/releasing.md, "Progressive delivery").
const rollouts = new App({ outdir: path.join(cluster.outdir, ROLLOUTS_FOLDER) });
new RolloutsChart(rollouts, 'rollouts', {
  namespace: env.namespace,
  bird: services.bird,
  birdImage: services.birdImage,
  prometheusUrl: env.prometheusUrl,
  prometheusSelectorLabels: env.prometheusSelectorLabels,
});
const vpa = new App({ outdir: path.join(cluster.outdir, VPA_FOLDER) });
new VpaChart(vpa, 'vpa', {
  namespace: env.namespace,
  services: [services.birdImage, services.bird],
});

const gitops = new App({ outdir: path.join(cluster.outdir, GITOPS_FOLDER) });
const source = { repoUrl: env.gitops.repoUrl, branch: env.gitops.branch, path: env.gitops.path };
new ArgoCdChart(gitops, 'argocd', { ...source, destinationNamespace: env.namespace });
new FluxChart(gitops, 'flux', source);

synthesize([cluster, monitoring, rollouts, vpa, gitops]);
