import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_VARIABLES } from '../../apps/shared/config.js';
import type { PrometheusRule } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';
import { RUNBOOK, runbookSections } from './support/runbook.js';

const alerts = ofKind<PrometheusRule>(loadManifests(), 'PrometheusRule')
  .flatMap((rule) => rule.spec.groups.flatMap((group) => group.rules))
  .flatMap((rule) => (rule.alert ? [rule.alert] : []));
const drills = runbookSections(readFileSync(RUNBOOK, 'utf8')).find((s) => s.heading === 'Drills');

/** The first cell of each row of the Drills section's tables, and the row's text. */
const rows = new Map(
  (drills?.body ?? '')
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => [line.split('|')[1]!.trim().replaceAll('`', ''), line] as const),
);

describe('the Drills section of docs/runbook.md', () => {
  it('has a row for every alert in dist/: the fault that fires it, or why none does', () => {
    expect(drills, 'a "## Drills" section').toBeDefined();
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of new Set(alerts)) {
      expect(rows.get(alert), alert).toMatch(/FAULT_[A-Z_]+=|none: /);
    }
  });

  it('documents every fault variable, and names no other', () => {
    for (const name of Object.values(FAULT_VARIABLES)) expect(rows.has(name), name).toBe(true);
    const named = new Set(drills?.body.match(/(?<![A-Z_])FAULT_[A-Z_]+/g));
    expect([...named].sort()).toEqual(Object.values(FAULT_VARIABLES).sort());
  });
});
