import { hygieneProblems, podSecurityAdmissionProblems } from './hygiene.js';
import type { Manifest } from '../../support/manifests.js';
import { baselineNetworkProblems, networkHygieneProblems } from './network.js';
import { podSecurityProblems } from './pod-security.js';
import { capacityProblems, workloadProblems } from './workload-policy.js';

/** Every policy check, as an admission controller and a reviewer would run them together. */
export function policyProblems(all: readonly Manifest[]): string[] {
  return [
    ...podSecurityProblems(all),
    ...podSecurityAdmissionProblems(all),
    ...workloadProblems(all),
    ...capacityProblems(all),
    ...baselineNetworkProblems(all),
    ...networkHygieneProblems(all),
    ...hygieneProblems(all),
  ];
}
