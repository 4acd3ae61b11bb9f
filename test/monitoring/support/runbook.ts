import path from 'node:path';
import type { PrometheusRuleRule } from '../../support/k8s-types.js';

/** The runbook the alerts link to. */
export const RUNBOOK = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'runbook.md');

/** One heading of the runbook and the text up to the next heading of the same or a higher level. */
export interface RunbookSection {
  readonly level: number;
  readonly heading: string;
  /** The anchor GitHub gives the heading, without `#`. */
  readonly anchor: string;
  readonly body: string;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The sections of a Markdown document; headings inside fenced code blocks are not headings. */
export function runbookSections(markdown: string): RunbookSection[] {
  const lines = markdown.split('\n');
  const headings: { level: number; heading: string; line: number }[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6}) (.+?)#*\s*$/.exec(line);
    if (match) headings.push({ level: match[1]!.length, heading: match[2]!.trim(), line: index });
  });
  const seen = new Map<string, number>();
  return headings.map(({ level, heading, line }, index) => {
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    const end = headings.slice(index + 1).find((next) => next.level <= level)?.line ?? lines.length;
    return {
      level,
      heading,
      anchor: count === 0 ? slug : `${slug}-${count}`,
      body: lines.slice(line + 1, end).join('\n'),
    };
  });
}

/** The parts every alert's section has, in this order. */
export const SECTION_PARTS = ['**What it means.**', '**First checks.**', '**Mitigation.**'];

/**
 * Every alert links to `<runbookUrl>#<anchor>`, a section of the runbook exists at that anchor
 * and says what the alert means, the first three things to look at, and how to mitigate; and
 * every alert-like section (a heading starting with `Aviary`) belongs to an alert.
 */
export function runbookProblems(
  rules: readonly PrometheusRuleRule[],
  markdown: string,
  runbookUrl: string,
): string[] {
  const sections = runbookSections(markdown);
  const problems: string[] = [];
  for (const rule of rules) {
    const at = `alert ${rule.alert}`;
    const url = rule.annotations?.runbook_url ?? '';
    if (!url.startsWith(`${runbookUrl}#`)) {
      problems.push(`${at}: runbook_url ${url} is not a section of ${runbookUrl}`);
      continue;
    }
    const section = sections.find((s) => s.anchor === url.slice(runbookUrl.length + 1));
    if (!section) {
      problems.push(`${at}: the runbook has no section #${url.slice(runbookUrl.length + 1)}`);
      continue;
    }
    const positions = SECTION_PARTS.map((part) => section.body.indexOf(part));
    if (positions.some((p, i) => p < 0 || (i > 0 && p < positions[i - 1]!))) {
      problems.push(`${at}: its section lacks ${SECTION_PARTS.join(', ')} in this order`);
    }
    const checks = section.body.slice(positions[1], positions[2]);
    if (!['1. ', '2. ', '3. '].every((item) => checks.includes(`\n${item}`))) {
      problems.push(`${at}: its section does not list three first checks`);
    }
  }
  const alerts = new Set(rules.map((rule) => rule.alert));
  for (const section of sections.filter((s) => /^Aviary\w+$/.test(s.heading))) {
    if (!alerts.has(section.heading)) {
      problems.push(`runbook section ${section.heading} belongs to no alert`);
    }
  }
  return problems;
}
