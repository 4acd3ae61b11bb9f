/**
 * docs/contract.md is what code comments and docs cite (`docs/contract.md#<anchor>`): every such
 * link must land on one of its headings, and its configuration table must name exactly the
 * variables the config loaders read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadBirdConfig } from '../../apps/bird/config.js';
import { loadContractCheckConfig } from '../../apps/bird/contract-check/config.js';
import { loadConfig as loadBirdImageConfig } from '../../apps/bird-image/config.js';
import type { Env } from '../../apps/shared/config.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CONTRACT = 'docs/contract.md';
const contract = readFileSync(path.join(ROOT, CONTRACT), 'utf8');
// Generated or installed: nobody writes a link to the contract there.
const SKIPPED = new Set(['.git', 'node_modules', 'dist', 'environments', 'imports', 'build']);
const LINK = /contract\.md#([\w-]+)/g;

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

/** The anchors of every heading of a Markdown text (fenced code left out). */
function anchorsOf(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1]!)));
}

/** `file: anchor` for every link to the contract in the text files under `dir`. */
function contractLinks(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return contractLinks(full);
    if (!/\.(ts|js|md|ya?ml|json)$/.test(entry.name)) return [];
    const text = readFileSync(full, 'utf8');
    return [...text.matchAll(LINK)].map((m) => `${path.relative(ROOT, full)}: ${m[1]}`);
  });
}

/** The names a config loader asks its environment for, read by handing it a recording one. */
function variablesRead(load: (env: Env) => unknown): string[] {
  const read = new Set<string>();
  const env: Env = new Proxy(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  load(env);
  return [...read];
}

/** The text of the section under `heading`, up to the next heading of its level or above. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${CONTRACT} has no section "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe(CONTRACT, () => {
  it('has a heading for every link to it in the repository', () => {
    const anchors = anchorsOf(contract);
    const links = contractLinks(ROOT);
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((link) => !anchors.has(link.split(': ')[1]!))).toEqual([]);
  });

  it('names, in its Configuration section, exactly the variables the loaders read', () => {
    const configuration = section(contract, 'Configuration');
    const documented = [...configuration.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]!);
    const services = [loadBirdConfig, loadBirdImageConfig].flatMap(variablesRead);
    expect(new Set(documented)).toEqual(new Set(services));
    for (const name of variablesRead(loadContractCheckConfig)) {
      expect(configuration).toContain(`\`${name}\``);
    }
  });
});

describe('headingAnchor', () => {
  it.each([
    ['Methods and paths', 'methods-and-paths'],
    ['The synthetic check', 'the-synthetic-check'],
    ['Layout of `dist/`', 'layout-of-dist'],
    ['Thresholds, and why', 'thresholds-and-why'],
  ])('%s → %s', (heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });
});
