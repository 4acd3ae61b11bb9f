/**
 * Issue 19, items 4 and 5e: the documented cert-manager install (deploy/cert-manager.values.yaml,
 * deploy/cluster-issuer.yaml). Its ServiceMonitor must carry the labels the monitoring stack's
 * Prometheus selects, or the certificate-expiry alert reads nothing; its ClusterIssuer must be
 * the one bird's Ingress names. The solver's Service type is checked against the quota in
 * addons.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CERT_MANAGER_FILES,
  certManagerValues,
  clusterIssuer,
} from '../../charts/cert-manager-install.js';
import { production } from '../../charts/environments.js';
import {
  certManagerServiceMonitorLabels,
  helmReleaseName,
  kubePrometheusStackServiceMonitorSelector,
} from './support/helm-charts.js';
import type { KubeObject } from '../support/k8s-types.js';
import { DIST, loadManifests, ofKind } from '../support/manifests.js';

const deployFile = (file: string) => readFileSync(path.resolve(DIST, '..', file), 'utf8');
const certManagerText = deployFile(CERT_MANAGER_FILES.values);
const stackText = deployFile('deploy/kube-prometheus-stack.values.yaml');

/** Problems of Prometheus (as the stack's values install it) selecting cert-manager's monitor. */
function scrapeProblems(certManager: Record<string, unknown>): string[] {
  const monitorLabels = certManagerServiceMonitorLabels(certManager, 'cert-manager');
  if (!monitorLabels) return ['cert-manager renders no ServiceMonitor'];
  const stack = parse(stackText) as Record<string, unknown>;
  const selector = kubePrometheusStackServiceMonitorSelector(stack, helmReleaseName(stackText));
  return Object.entries(selector)
    .filter(([key, value]) => monitorLabels[key] !== value)
    .map(
      ([key, value]) =>
        `Prometheus selects ${key}=${value}; cert-manager's ServiceMonitor has ${key}=${monitorLabels[key]}`,
    );
}

describe("4. Prometheus scrapes cert-manager's ServiceMonitor", () => {
  it('is generated from the environment, as committed', () => {
    expect(certManagerText).toBe(certManagerValues(production));
  });

  it('gives the ServiceMonitor every label the stack selects', () => {
    expect(scrapeProblems(parse(certManagerText) as Record<string, unknown>)).toEqual([]);
  });

  it("reports the chart's defaults: no ServiceMonitor, and no release label once enabled", () => {
    expect(scrapeProblems({})).toEqual(['cert-manager renders no ServiceMonitor']);
    expect(scrapeProblems({ prometheus: { servicemonitor: { enabled: true } } })).toEqual([
      "Prometheus selects release=kube-prometheus-stack; cert-manager's ServiceMonitor has release=undefined",
    ]);
  });
});

describe('5e. the documented ClusterIssuer', () => {
  const issuer = parse(deployFile(CERT_MANAGER_FILES.clusterIssuer)) as {
    metadata: { name: string };
    spec: { acme: { solvers: { http01: { ingress: { ingressClassName: string } } }[] } };
  };
  type Ingress = KubeObject & { spec: { ingressClassName: string } };
  const ingresses = ofKind<Ingress>(loadManifests(), 'Ingress');

  it('is generated from the environment, as committed', () => {
    expect(deployFile(CERT_MANAGER_FILES.clusterIssuer)).toBe(
      clusterIssuer({ name: production.clusterIssuer }),
    );
  });

  it("is the issuer bird's Ingress names, solving through the Ingress's class", () => {
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) {
      expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe(
        issuer.metadata.name,
      );
      expect(issuer.spec.acme.solvers.map((s) => s.http01.ingress.ingressClassName)).toContain(
        ingress.spec.ingressClassName,
      );
    }
  });
});
