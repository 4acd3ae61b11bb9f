/**
 * Issue 19, point 1: Flux's health checks run as the ServiceAccount a Kustomization
 * impersonates, and kstatus reads more than the objects applied (support/kstatus.ts cites
 * fluxcd/kustomize-controller v1.9.4 and fluxcd/cli-utils v1.2.2). Each unit's Role must let it
 * read all of it, or every Deployment stays `Unknown`, `wait: true` times out, and the units that
 * depend on it never start.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../support/k8s-types.js';
import { healthCheckReadProblems } from './support/kstatus.js';
import { listFiles, loadManifests, mutate } from '../support/manifests.js';

const manifests = loadManifests();
const files = listFiles();
type Role = KubeObject & { rules: { resources: string[] }[] };

describe("Flux's health checks, as each unit's identity", () => {
  it('read every kind a unit applies and every kind kstatus lists for them', () => {
    expect(healthCheckReadProblems(files, manifests)).toEqual([]);
  });

  it("fails when the services' Role cannot list Pods (kstatus reads a ReplicaSet's Pods)", () => {
    const broken = mutate<Role>(manifests, 'Role', 'gitops-services', (role) => {
      role.rules = role.rules.filter((rule) => !rule.resources.includes('pods'));
    });
    expect(healthCheckReadProblems(files, broken)).toEqual([
      'Kustomization aviary-services: aviary-services cannot get/list/watch /Pod in aviary',
    ]);
  });

  it("fails when it cannot list ReplicaSets (kstatus reads a Deployment's ReplicaSets)", () => {
    const broken = mutate<Role>(manifests, 'Role', 'gitops-services', (role) => {
      role.rules = role.rules.filter((rule) => !rule.resources.includes('replicasets'));
    });
    expect(healthCheckReadProblems(files, broken)).toEqual([
      'Kustomization aviary-services: aviary-services cannot get/list/watch apps/ReplicaSet in aviary',
    ]);
  });
});
