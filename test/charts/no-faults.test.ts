/**
 * Fault drills (apps/shared/faults.ts) are switched on by hand, for one Deployment outside
 * production (docs/runbook.md, "Drills"); no rendered manifest may ever set them. The check reads
 * the text of every rendered file, whatever carries the variable: a container's `env`, a
 * ConfigMap, a Helm values file, a patch.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_VARIABLES } from '../../apps/shared/config.js';
import { environments } from '../../charts/environments.js';
import { DIST, listFiles } from '../support/manifests.js';

const PREFIX = 'FAULT_';
// A name of its own: `DEFAULT_IMAGE_URL` contains the prefix too.
const FAULT_NAME = new RegExp(`(?<![A-Za-z0-9_])${PREFIX}[A-Z0-9_]+`);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Every environment's rendered folder, its `gitops.path` (production's is `dist/`, the others'
 * `environments/<name>/`): every one is synced by GitOps, so none may set a fault.
 */
function renderedFolders(): string[] {
  return Object.values(environments).map((environment) => path.join(ROOT, environment.gitops.path));
}

/** `file:line: text` for each line under `folder` that names a fault variable. */
function faultSettings(folder: string): string[] {
  return listFiles(folder).flatMap((file) =>
    readFileSync(path.join(folder, file), 'utf8')
      .split('\n')
      .flatMap((line, index) =>
        FAULT_NAME.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [],
      ),
  );
}

describe('fault drills in rendered manifests', () => {
  it('every fault variable carries the prefix this check looks for', () => {
    for (const name of Object.values(FAULT_VARIABLES)) expect(name.startsWith(PREFIX)).toBe(true);
  });

  it.each(renderedFolders().map((folder) => [path.relative(ROOT, folder), folder]))(
    '%s sets no FAULT_ variable',
    (_name, folder) => {
      expect(listFiles(folder).length).toBeGreaterThan(0);
      expect(faultSettings(folder)).toEqual([]);
    },
  );

  it('finds a fault set in a ConfigMap', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'aviary-faults-'));
    try {
      cpSync(DIST, copy, { recursive: true });
      const services = path.join(copy, '0002-services.k8s.yaml');
      const text = readFileSync(services, 'utf8');
      const changed = text.replace(
        /^(\s+)LOG_LEVEL: (.*)$/m,
        `$1LOG_LEVEL: $2\n$1FAULT_LATENCY_MS: "1200"`,
      );
      expect(changed).not.toBe(text);
      writeFileSync(services, changed);
      expect(faultSettings(copy)).toEqual([
        expect.stringMatching(/^0002-services\.k8s\.yaml:\d+: FAULT_LATENCY_MS: "1200"$/),
      ]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
