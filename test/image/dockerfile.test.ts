import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadBirdConfig } from '../../apps/bird/config.js';
import { loadConfig as loadBirdImageConfig } from '../../apps/bird-image/config.js';
import type { Deployment } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';
import { ENTRY_POINTS } from '../support/process.js';
import { dockerfileProblems, type DockerfileExpectations } from './dockerfile-checks.js';
import { parseDockerfile, readDockerfile, REPO_ROOT, resolveTarget } from './dockerfile.js';

// Static checks of the Dockerfile (docs/contract.md#images), with no container engine; `npm run test:containers`
// builds it and runs what it describes (test/containers/).

/** Where `npm run build` (tsc -p tsconfig.build.json) writes a source file, computed by tsc. */
function compiledEntry(source: string): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(REPO_ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  const file = path.join(REPO_ROOT, source);
  if (!parsed?.fileNames.includes(file)) throw new Error(`${source} is not compiled by the build`);
  const output = ts.getOutputFileNames(parsed, file, false).find((name) => name.endsWith('.js'));
  return path.relative(REPO_ROOT, output!);
}

/** The `uid:gid` every Deployment of dist/ runs its pods as. */
function manifestUser(): string {
  const users = ofKind<Deployment>(loadManifests(), 'Deployment')
    .map((deployment) => deployment.spec.template.spec.securityContext)
    .map((context) => `${context?.runAsUser}:${context?.runAsGroup}`);
  expect(users).toHaveLength(2);
  expect(new Set(users).size).toBe(1);
  return users[0]!;
}

const expected: DockerfileExpectations = {
  targets: {
    bird: { entry: compiledEntry(ENTRY_POINTS.bird), port: loadBirdConfig({}).port },
    'bird-image': {
      entry: compiledEntry(ENTRY_POINTS['bird-image']),
      port: loadBirdImageConfig({}).port,
    },
  },
  user: manifestUser(),
  // Active and maintenance LTS lines; Node.js 20 reached its end of life in April 2026.
  nodeMajors: [22, 24],
};
const dockerfile = readDockerfile();
const problemsOf = (text: string) => dockerfileProblems(parseDockerfile(text), expected);

/** The Dockerfile with `search` replaced (every occurrence); fails when it is not there. */
function broken(search: string | RegExp, replacement: string): string {
  const pattern = typeof search === 'string' ? search : new RegExp(search.source, 'gm');
  expect(dockerfile).toMatch(pattern);
  return dockerfile.replaceAll(pattern, replacement);
}

describe('the Dockerfile', () => {
  it('keeps the image contract', () => {
    expect(problemsOf(dockerfile)).toEqual([]);
  });

  it.for(['bird', 'bird-image'] as const)(
    'has a target %s running its compiled entry with node as 10001:10001',
    (target) => {
      const image = resolveTarget(parseDockerfile(dockerfile), target);
      const service = expected.targets[target]!;
      expect(image).toMatchObject({
        cmd: ['node', service.entry],
        entrypoint: [],
        user: '10001:10001',
        exposedPorts: [service.port],
        workdir: '/app',
      });
    },
  );

  it('runs what `npm run start:<service>` runs after the build', () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const [target, { entry }] of Object.entries(expected.targets)) {
      expect(scripts[`start:${target}`]).toMatch(new RegExp(`&& node ${entry}$`));
    }
  });
});

describe('the Dockerfile checks catch', () => {
  it.for([
    ['a moving tag', () => broken(/node:[\w.-]+/, 'node:latest'), 'is not pinned to a full'],
    ['a major-only tag', () => broken(/node:[\w.-]+/, 'node:24-slim'), 'is not pinned to a full'],
    ['an LTS line at its end of life', () => broken(/node:\d+\./, 'node:20.'), 'Node.js 20 is not'],
    [
      'another Node.js in one stage',
      () => dockerfile.replace(/node:(\d+)\.\d+\.\d+/, 'node:$1.0.0'),
      'different bases',
    ],
  ] as const)('%s as the base', ([, mutated, problem]) => {
    expect(problemsOf(mutated()).join('\n')).toContain(problem);
  });

  it.for([
    ['a named user', 'USER node'],
    ['a uid without a gid', 'USER 10001'],
    ['no user at all', ''],
  ] as const)('%s', ([, user]) => {
    const problems = problemsOf(broken(/^USER .*$/, user));
    expect(problems).toContainEqual(expect.stringContaining('target "bird": USER is'));
    expect(problems).toContainEqual(expect.stringContaining('target "bird-image": USER is'));
  });

  it('development dependencies in the runtime', () => {
    const problems = problemsOf(broken('npm ci --omit=dev', 'npm ci'));
    expect(problems).toContainEqual(
      expect.stringContaining('copies node_modules from "deps", which is not installed with'),
    );
  });

  it('node_modules taken from the build stage', () => {
    const problems = problemsOf(
      broken('--from=deps /app/node_modules', '--from=build /app/node_modules'),
    );
    expect(problems).toContainEqual(expect.stringContaining('from "build", which is not'));
  });

  it('npm starting the service', () => {
    const problems = problemsOf(
      broken('CMD ["node", "build/apps/bird/server.js"]', 'CMD ["npm", "run", "start:bird"]'),
    );
    expect(problems).toContain(
      'target "bird": npm in CMD/ENTRYPOINT; SIGTERM would reach npm, not the service',
    );
  });

  it("the base image's entrypoint left in place", () => {
    const problems = problemsOf(broken(/^ENTRYPOINT \[\]$/, ''));
    expect(problems).toContain(
      'target "bird": set ENTRYPOINT [] so that CMD alone starts the process',
    );
  });

  it('a CMD running the TypeScript source', () => {
    const problems = problemsOf(broken('"build/apps/bird/server.js"', '"apps/bird/server.ts"'));
    expect(problems).toContainEqual(expect.stringContaining('target "bird": CMD is'));
  });

  it('a port that is not the default', () => {
    const problems = problemsOf(broken('EXPOSE 4201', 'EXPOSE 8080'));
    expect(problems).toContain('target "bird": EXPOSE 8080, expected the default port 4201');
  });

  it('a missing target', () => {
    const problems = problemsOf(broken('AS bird-image', 'AS birdimage'));
    expect(problems).toContainEqual(expect.stringContaining('no target "bird-image"'));
  });
});
