/**
 * The module-graph rules of `npm run lint` (`.dependency-cruiser.js`), run through
 * dependency-cruiser's own API with the project's configuration on small fixtures, so that a
 * change of configuration or version that stops the rules from seeing a cycle fails here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../image/dockerfile.js';

const options = await extractDepcruiseOptions(path.join(REPO_ROOT, '.dependency-cruiser.js'));
const tsConfig = extractTSConfig(path.join(REPO_ROOT, 'tsconfig.json'));
const work = mkdtempSync(path.join(tmpdir(), 'aviary-import-cycles-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Writes `files` into a fresh folder and returns the violations the project's rules find, each
 * as its rule and the two ends of the offending import, by file name.
 */
async function violations(name: string, files: Record<string, string>) {
  const folder = path.join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), text);
  }
  // From the fixture's folder, as `npm run lint` runs from the repository's: rules name paths.
  const { output } = await cruise(['.'], { ...options, baseDir: folder }, {}, { tsConfig });
  return (output as ICruiseResult).summary.violations.map((violation) => ({
    rule: violation.rule.name,
    ends: [violation.from, violation.to].map((end) => path.basename(end)).sort(),
  }));
}

// As the charts' cycle was: a value import one way, a type import back, `.js` specifiers.
const settings = "import { defaults } from './service.js';\nexport const settings = defaults;\n";
const service = 'export const defaults = { replicas: 2 };\nexport type Props = typeof defaults;\n';
const typeBack =
  "import type { settings } from './settings.js';\nexport type Settings = typeof settings;\n";

describe('the import-cycle rule', () => {
  it('reports a cycle closed by a type-only import', async () => {
    expect(
      await violations('cycle', {
        'settings.ts': settings,
        'service.ts': `${typeBack}${service}`,
      }),
    ).toEqual([{ rule: 'no-circular', ends: ['service.ts', 'settings.ts'] }]);
  });

  it('reports nothing once the cycle is gone, so `./x.js` resolved to `./x.ts`', async () => {
    expect(
      await violations('no-cycle', { 'settings.ts': settings, 'service.ts': service }),
    ).toEqual([]);
  });

  it('reports an import it cannot resolve, which it could not check for cycles', async () => {
    expect(
      await violations('unresolvable', {
        'settings.ts':
          "import { defaults } from './servce.js';\nexport const settings = defaults;\n",
      }),
    ).toEqual([{ rule: 'no-unresolvable', ends: ['servce.js', 'settings.ts'] }]);
  });
});

describe('the rules that keep each image whole', () => {
  // Each image holds build/apps/<service> and build/apps/shared only (Dockerfile).
  const shared = 'export const DEFAULT_PORTS = { bird: 4201, birdImage: 4200 };\n';
  const birdImage =
    "import { DEFAULT_PORTS } from '../shared/config.js';\nexport const port = DEFAULT_PORTS.birdImage;\n";

  it("reports a service importing another service's module", async () => {
    expect(
      await violations('cross-service', {
        'apps/shared/config.ts': shared,
        'apps/bird-image/config.ts': birdImage,
        'apps/bird/config.ts':
          "import { port } from '../bird-image/config.js';\nexport const url = port;\n",
      }),
    ).toEqual([{ rule: 'one-service-per-image', ends: ['config.ts', 'config.ts'] }]);
  });

  it('reports apps/shared importing a service, and a service importing the charts', async () => {
    const found = await violations('shared-and-charts', {
      'apps/shared/config.ts': `import { port } from '../bird-image/config.js';\n${shared}export const p = port;\n`,
      'apps/bird-image/config.ts': 'export const port = 4200;\n',
      'apps/bird/config.ts':
        "import { values } from '../../charts/values.js';\nexport const v = values;\n",
      'charts/values.ts': 'export const values = {};\n',
    });
    expect(found.map((violation) => violation.rule).sort()).toEqual([
      'apps-stand-alone',
      'shared-knows-no-service',
    ]);
  });

  it('lets a service import its own modules and apps/shared', async () => {
    expect(
      await violations('whole', {
        'apps/shared/config.ts': shared,
        'apps/bird-image/config.ts': birdImage,
        'apps/bird-image/server.ts':
          "import { port } from './config.js';\nexport const p = port;\n",
      }),
    ).toEqual([]);
  });
});

describe('the rule that keeps the bench apart from the tests', () => {
  const standIn = 'export const stub = () => 0;\n';
  const importStandIn = (from: string) =>
    `import { stub } from '${from}/scripts/stand-ins/stub.js';\nexport const s = stub;\n`;

  it('reports the bench importing from test/', async () => {
    expect(
      await violations('bench-to-test', {
        'test/support/stub.ts': standIn,
        'bench/scenarios.ts':
          "import { stub } from '../test/support/stub.js';\nexport const s = stub;\n",
      }),
    ).toEqual([{ rule: 'bench-not-to-test', ends: ['scenarios.ts', 'stub.ts'] }]);
  });

  it('lets both import what neither owns', async () => {
    expect(
      await violations('stand-ins', {
        'scripts/stand-ins/stub.ts': standIn,
        'bench/scenarios.ts': importStandIn('..'),
        'test/support/stubs.ts': importStandIn('../..'),
      }),
    ).toEqual([]);
  });
});
