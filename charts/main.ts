import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'cdk8s';
import { APPLICATION } from './application.js';
import { ArgoCdChart } from './argocd-chart.js';
import { AUTOSCALING, AutoscalingChart } from './autoscaling-chart.js';
import { CERT_MANAGER_FILES, certManagerValues, clusterIssuer } from './cert-manager-install.js';
import { UnknownEnvironmentError, type AviaryEnvironment } from './environments.js';
import { FluxChart, fluxServiceAccount } from './flux-chart.js';
import { defineUnit } from './gitops-units.js';
import { kubePrometheusStackValues } from './helm-values.js';
import { GITOPS_FOLDER, MONITORING_FOLDER, ROLLOUTS_FOLDER, VPA_FOLDER } from './layout.js';
import { MonitoringChart, runbookUrlOf } from './monitoring-chart.js';
import { SyntheticCheckRules } from './monitoring/synthetic-check-rules.js';
import { NamespaceChart } from './namespace-chart.js';
import { PlatformChart } from './platform-chart.js';
import { peakPods } from './pod-budget.js';
import { ANALYSIS_JOB_PODS_PER_ROLLOUT } from './rollouts/contract-check-metric.js';
import { RolloutsChart } from './rollouts-chart.js';
import { ServicesChart } from './services-chart.js';
import { SYNTHETIC_CHECK_NAME, SyntheticCheckChart } from './synthetic-check-chart.js';
import {
  emptyOutputFolders,
  repositoryFile,
  synthesize,
  synthTargets,
  SynthUsageError,
} from './synthesize.js';
import { VpaChart } from './vpa-chart.js';

/**
 * Renders one environment into `outdir`: built-in kinds at the top level, each optional layer of
 * CRD kinds in its sub-folder, and the GitOps objects that sync them.
 */
function renderEnvironment(env: AviaryEnvironment, outdir: string): void {
  // Built-in kinds only: `kubectl apply -f dist` works on a vanilla cluster.
  const cluster = new App({ outdir });
  const platform = new PlatformChart(cluster, 'platform', {
    namespace: env.namespace,
    namePrefix: env.gitops.namePrefix,
  });
  // Each chart takes the environment as it is and reads its own slice: no value is copied here.
  // The Deployments' autoscalers, a file of their own: the rollouts layer replaces them.
  const autoscaling = new AutoscalingChart(cluster, AUTOSCALING, env);
  const services = new ServicesChart(cluster, 'services', {
    ...env,
    priorityClassName: platform.priorityClassName,
    autoscalerScope: autoscaling,
  });
  const check = new SyntheticCheckChart(cluster, 'synthetic-check', {
    ...env,
    bird: services.bird,
  });
  // The quota admits the most pods the services and the checks run at once: the CronJob's, and
  // one contract check Job per service's Rollout when the rollouts layer analyses a canary.
  const workloads = [services.birdImage, services.bird];
  const namespace = new NamespaceChart(cluster, 'namespace', {
    ...env,
    peakPods: peakPods(workloads, check.maxPods + workloads.length * ANALYSIS_JOB_PODS_PER_ROLLOUT),
  });
  // Chart dependencies make cdk8s number the files (0000-platform, 0001-namespace, …), and
  // kubectl applies files in that order: PriorityClass and Namespace before the pods.
  namespace.addDependency(platform);
  services.addDependency(namespace);
  check.addDependency(services);
  autoscaling.addDependency(check);

  // CRD kinds go to sub-folders, one App per folder (cdk8s writes an App's charts flat).
  const monitoring = new App({ outdir: path.join(cluster.outdir, MONITORING_FOLDER) });
  const runbookUrl = runbookUrlOf(env.gitops);
  const monitoringChart = new MonitoringChart(monitoring, 'monitoring', {
    ...env,
    services: [services.birdImage, services.bird],
    unsplashClient: services.birdImage,
    runbookUrl,
  });
  const checkRules = new SyntheticCheckRules(monitoring, 'synthetic-check', {
    namespace: env.namespace,
    cronJobName: SYNTHETIC_CHECK_NAME,
    runbookUrl,
    labels: { 'app.kubernetes.io/part-of': APPLICATION, ...env.prometheusSelectorLabels },
  });

  // Optional layers, each needing its CRDs (docs/releasing.md, "Progressive delivery").
  const rollouts = new App({ outdir: path.join(cluster.outdir, ROLLOUTS_FOLDER) });
  const rolloutsChart = new RolloutsChart(rollouts, 'rollouts', {
    ...env,
    bird: services.bird,
    birdImage: services.birdImage,
  });
  const vpa = new App({ outdir: path.join(cluster.outdir, VPA_FOLDER) });
  const vpaChart = new VpaChart(vpa, 'vpa', {
    ...env,
    services: [services.birdImage, services.bird],
  });

  // What GitOps syncs, unit by unit: the services never wait for an optional folder. An optional
  // layer (its own sub-folder of CRD kinds) is one more unit that depends on 'services'.
  const namespacedUnits = [
    defineUnit({
      name: 'services',
      charts: [services, check],
      dependsOn: ['platform'],
      controllerFields: env.progressiveDelivery ? rolloutsChart.fieldsOnServices : [],
      // The Deployments' autoscalers were the services unit's until they got a unit of their own.
      retiredKinds: [{ group: 'autoscaling', kind: 'HorizontalPodAutoscaler' }],
    }),
    defineUnit({
      name: 'monitoring',
      charts: [monitoringChart, checkRules],
      folder: MONITORING_FOLDER,
      dependsOn: ['services'],
    }),
    // Either the Deployments' autoscalers or the rollouts layer, whose autoscalers of the same
    // names scale the Rollouts: two units must never apply one object.
    env.progressiveDelivery
      ? // The canaries judge on the services' metrics and scrape the canary pods with a
        // ServiceMonitor.
        defineUnit({
          name: 'rollouts',
          charts: [rolloutsChart],
          folder: ROLLOUTS_FOLDER,
          dependsOn: ['services', 'monitoring'],
          controllerFields: rolloutsChart.fieldsOnOwnObjects,
          // Flux's health checks (kstatus) cannot read a Rollout's status (its observedGeneration
          // is a string: fluxcd/flux2#4632, argoproj/argo-rollouts#4672), so waiting would never
          // end. `kubectl argo rollouts get rollout` tells a Rollout's health; Argo CD knows it
          // natively.
          waitForHealth: false,
        })
      : defineUnit({ name: AUTOSCALING, charts: [autoscaling], dependsOn: ['services'] }),
    defineUnit({ name: 'vpa', charts: [vpaChart], folder: VPA_FOLDER, dependsOn: ['services'] }),
  ];
  // The identities Flux applies them as, allowed exactly their kinds. The Roles are handed over
  // to the platform unit's bootstrap, so they are added before that unit takes stock of them.
  for (const unit of namespacedUnits) {
    const serviceAccount = fluxServiceAccount(env.gitops, unit);
    namespace.allowDeployer({
      name: `gitops-${unit.name}`,
      kinds: unit.fluxKinds,
      reads: unit.healthCheckReads,
      prunes: unit.retiredKinds,
      serviceAccount,
    });
  }
  const units = [
    defineUnit({
      name: 'platform',
      charts: [namespace],
      // Flux's bootstrap file applies the Namespace, the cluster-scoped objects, the quota, the
      // LimitRange and the units' Roles; Flux's unit, the NetworkPolicies.
      bootstrap: [platform],
      handedOver: namespace.handedOver,
      scope: 'cluster',
    }),
    ...namespacedUnits,
  ];
  const gitops = new App({ outdir: path.join(cluster.outdir, GITOPS_FOLDER) });
  new ArgoCdChart(gitops, 'argocd', { ...env.gitops, units, destinationNamespace: env.namespace });
  new FluxChart(gitops, 'flux', { ...env.gitops, units, destinationNamespace: env.namespace });

  synthesize([cluster, monitoring, rollouts, vpa, gitops]);

  // The Helm values of the documented monitoring install, from the same StorageClass constant.
  const values = repositoryFile(cluster.outdir, 'deploy/kube-prometheus-stack.values.yaml');
  if (values) {
    mkdirSync(path.dirname(values), { recursive: true });
    const releaseName = env.prometheusSelectorLabels.release;
    if (releaseName === undefined) {
      throw new Error(
        'prometheusSelectorLabels has no "release": add the Helm release name of ' +
          'kube-prometheus-stack, which labels what its Prometheus selects',
      );
    }
    writeFileSync(
      values,
      kubePrometheusStackValues({
        storageClassName: platform.storageClassName,
        namespace: env.monitoringNamespace,
        releaseName,
      }),
    );
  }

  // The documented cert-manager install: its ServiceMonitor selected by the same labels, and the
  // ClusterIssuer bird's Ingress names.
  const certManagerFiles = {
    [CERT_MANAGER_FILES.values]: certManagerValues(env),
    [CERT_MANAGER_FILES.clusterIssuer]: clusterIssuer({ name: env.clusterIssuer }),
  };
  for (const [file, text] of Object.entries(certManagerFiles)) {
    const target = repositoryFile(cluster.outdir, file);
    if (target) writeFileSync(target, text);
  }
}

// `npm run synth`: every environment into its own folder, or the one AVIARY_ENV names. A wrong
// name or folder stops it with one line and exit code 2, before anything is written.
try {
  const targets = synthTargets();
  emptyOutputFolders(targets);
  for (const { environment, outdir } of targets) renderEnvironment(environment, outdir);
} catch (error) {
  if (!(error instanceof SynthUsageError || error instanceof UnknownEnvironmentError)) throw error;
  process.stderr.write(`synth: ${error.message}\n`);
  process.exit(2);
}
