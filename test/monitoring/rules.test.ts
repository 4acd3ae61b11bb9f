import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { production } from '../../charts/environments.js';
import type { PrometheusRuleRule } from '../support/k8s-types.js';
import { loadManifests } from '../support/manifests.js';
import { RUNBOOK, githubSlug, runbookProblems, runbookSections } from './support/runbook.js';
import { alertingRules } from './support/sources.js';

const rules = alertingRules(loadManifests());
const runbook = readFileSync(RUNBOOK, 'utf8');
// Where main.ts points the alerts: the runbook on the branch GitOps syncs.
const runbookUrl = `${production.gitops.repoUrl}/blob/${production.gitops.branch}/docs/runbook.md`;

describe('the alert rules in dist/monitoring/', () => {
  it('are the alerts of the issue, two of which page', () => {
    const severities = Object.fromEntries(
      rules.map((r): [string, string | undefined] => [r.alert ?? '', r.labels?.severity]),
    );
    expect(severities).toEqual({
      AviaryTargetsDown: 'critical',
      AviaryErrorBudgetBurnFast: 'critical',
      AviaryErrorBudgetBurnSlow: 'warning',
      AviaryHighFallbackRatio: 'warning',
      AviaryCircuitBreakerOpen: 'warning',
      AviaryPodsNotReady: 'warning',
      AviaryHpaMaxedOut: 'warning',
      AviaryUnsplashKeyMissing: 'warning',
      AviaryCertificateExpiringSoon: 'warning',
      AviaryCertificateMetricMissing: 'warning',
      AviaryContainerRestarting: 'warning',
      AviarySyntheticCheckFailing: 'critical',
    });
    // AviaryTargetsDown comes once per service: absent() cannot tell them apart.
    expect(rules.filter((r) => r.alert === 'AviaryTargetsDown').map((r) => r.labels?.job)).toEqual([
      'bird-image',
      'bird',
    ]);
  });

  it('each have a severity, a summary, a description, a runbook_url and a for', () => {
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning)$/);
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual([
        'description',
        'runbook_url',
        'summary',
      ]);
      for (const text of Object.values(rule.annotations ?? {}))
        expect(text.length).toBeGreaterThan(20);
      expect(rule.for, rule.alert).toMatch(/^\d+[mh]$/);
    }
  });

  it('compare against the thresholds the runbook explains', () => {
    const expr = (alert: string) => String(rules.find((r) => r.alert === alert)?.expr);
    // The SRE workbook's burn rates on a 0.1 % budget: 14.4 and 6 page, 3 and 1 warn.
    expect(expr('AviaryErrorBudgetBurnFast')).toBe(
      '(aviary:slo_errors:ratio_rate1h{namespace="aviary"} > 0.0144 and aviary:slo_errors:ratio_rate5m{namespace="aviary"} > 0.0144)\n' +
        'or\n' +
        '(aviary:slo_errors:ratio_rate6h{namespace="aviary"} > 0.006 and aviary:slo_errors:ratio_rate30m{namespace="aviary"} > 0.006)',
    );
    expect(expr('AviaryErrorBudgetBurnSlow')).toMatch(
      /ratio_rate1d\{[^}]*\} > 0\.003 [^]*ratio_rate3d\{[^}]*\} > 0\.001 /,
    );
    expect(expr('AviaryHighFallbackRatio')).toMatch(/outcome="fallback"[^]*\) > 0\.1$/);
    expect(expr('AviaryContainerRestarting')).toMatch(/\[30m\]\)\) > 2$/);
  });

  it('each link to a section of docs/runbook.md that explains, checks and mitigates', () => {
    expect(runbookProblems(rules, runbook, runbookUrl)).toEqual([]);
  });
});

describe('the runbook check reports', () => {
  const alert = (
    name: string,
    url = `${runbookUrl}#${name.toLowerCase()}`,
  ): PrometheusRuleRule => ({
    alert: name,
    expr: 'vector(1)',
    annotations: { runbook_url: url },
  });

  it('an alert without a section', () => {
    expect(runbookProblems([...rules, alert('AviaryDiskFull')], runbook, runbookUrl)).toEqual([
      'alert AviaryDiskFull: the runbook has no section #aviarydiskfull',
    ]);
  });

  it('a link into another document', () => {
    const elsewhere = alert('AviaryErrorBudgetBurnSlow', 'https://wiki.example.com/aviary#latency');
    const others = rules.filter((rule) => rule.alert !== 'AviaryErrorBudgetBurnSlow');
    expect(runbookProblems([...others, elsewhere], runbook, runbookUrl)).toEqual([
      `alert AviaryErrorBudgetBurnSlow: runbook_url https://wiki.example.com/aviary#latency is not a section of ${runbookUrl}`,
    ]);
  });

  it('a section without mitigation or with fewer than three checks', () => {
    const section =
      '## AviaryErrorBudgetBurnSlow\n\n**What it means.** x\n\n**First checks.**\n\n1. a\n2. b\n';
    expect(runbookProblems([alert('AviaryErrorBudgetBurnSlow')], section, runbookUrl)).toEqual([
      expect.stringMatching(
        /lacks \*\*What it means\.\*\*, \*\*First checks\.\*\*, \*\*Mitigation\.\*\*/,
      ),
      'alert AviaryErrorBudgetBurnSlow: its section does not list three first checks',
    ]);
  });

  it('a section left behind by a removed alert', () => {
    expect(runbookProblems(rules, `${runbook}\n## AviaryOldAlert\n`, runbookUrl)).toEqual([
      'runbook section AviaryOldAlert belongs to no alert',
    ]);
  });

  it('computes anchors the way GitHub does', () => {
    expect(githubSlug('AviaryHighErrorRatio')).toBe('aviaryhigherrorratio');
    expect(githubSlug('Thresholds, and why')).toBe('thresholds-and-why');
    const sections = runbookSections('# A\n```\n## not a heading\n```\n## B b\n## B b\n');
    expect(sections.map((s) => s.anchor)).toEqual(['a', 'b-b', 'b-b-1']);
  });
});
