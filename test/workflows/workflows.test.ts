import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environments, local, production } from '../../charts/environments.js';
import { imageRefs, SERVICES } from '../../charts/image-refs.js';
import { PROMOTION_ORDER, RELEASE_TAGS_FILE } from '../../charts/releases/release-tags.js';
import type { Deployment } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';
import { SERVICE_PORT } from '../../charts/constructs/web-service.js';
import { howToReachBird, kubeContext, LOCAL_BIRD_PORT } from '../../scripts/local-cluster/plan.js';
import { KIND_VERSION } from '../../scripts/local-cluster/prerequisites.js';
import { publishedImageProblems, readmeToACluster } from './support/readme.js';
import { parseDockerfile, readDockerfile, REPO_ROOT, resolveTarget } from '../image/dockerfile.js';

// What ties the workflows to the rest of the repository: the Dockerfile targets, the image
// references of the charts, and the order of the CI steps. actionlint.test.ts checks the syntax.

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly permissions?: Record<string, string>;
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOWS = path.join(REPO_ROOT, '.github/workflows');
/** The npm script that brings a local kind cluster up (package.json). */
const LOCAL_CLUSTER_SCRIPT = 'local-cluster';
const packageScripts = () =>
  (
    JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
const read = (file: string) => readFileSync(path.join(WORKFLOWS, file), 'utf8');
const workflow = (file: string) => parse(read(file)) as Workflow;
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((job) => job.steps);
const runIndex = (all: readonly Step[], pattern: RegExp) =>
  all.findIndex((step) => step.run !== undefined && pattern.test(step.run));

describe('the workflows', () => {
  it('pin every action to a major version or a commit', () => {
    const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
    const uses = files.flatMap(steps).flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
  });

  it('build one image per service, each a Dockerfile target', () => {
    const stages = parseDockerfile(readDockerfile());
    const build = workflow('images.yml').jobs.build!;
    expect(build.strategy?.matrix?.target).toEqual([...SERVICES]);
    for (const service of SERVICES) expect(resolveTarget(stages, service).cmd).toBeDefined();
  });

  it('push with SBOM and provenance, and write only to packages', () => {
    const images = workflow('images.yml');
    expect(images.permissions).toEqual({ contents: 'read' });
    expect(images.jobs.build!.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(images.jobs.refs!.permissions).toBeUndefined();
    const push = images.jobs.build!.steps.find((step) =>
      step.uses?.startsWith('docker/build-push'),
    );
    expect(push?.with).toMatchObject({ sbom: true, provenance: 'mode=max' });
  });

  it("tell a release's author to set the first environment's tag in release-tags.json, then promote", () => {
    const summary = workflow('images.yml').jobs.refs!.steps.find((step) =>
      step.run?.includes('GITHUB_STEP_SUMMARY'),
    )!.run!;
    const [first, ...next] = PROMOTION_ORDER;
    expect(summary).toContain(`set \\\`\\"${first}\\": \\"$version\\"\\\``);
    expect(summary).toContain(path.relative(REPO_ROOT, RELEASE_TAGS_FILE));
    next.forEach((target, index) =>
      expect(summary).toContain(`npm run promote -- ${PROMOTION_ORDER[index]} ${target}`),
    );
    // The tags live in release-tags.json alone: charts/environments.ts reads them from there.
    expect(summary).not.toMatch(/imageTag|environments\.ts/);
  });

  it('run the container test after the unit tests, and the drift check after synth', () => {
    const ci = steps('ci.yml');
    expect(runIndex(ci, /npm run test:containers$/)).toBeGreaterThan(runIndex(ci, /^npm test$/));
    expect(runIndex(ci, /git diff --exit-code -- dist/)).toBeGreaterThan(
      runIndex(ci, /^npm run synth$/),
    );
  });

  it('check for drift every folder synth writes', () => {
    const check = steps('ci.yml').find((step) => step.run?.includes('git diff --exit-code'))!;
    // The top folder of each environment's render: `environments` for environments/staging.
    const folders = new Set(Object.values(environments).map((e) => e.gitops.path.split('/')[0]!));
    for (const folder of folders) {
      expect(check.run).toMatch(new RegExp(`git diff --exit-code -- .*\\b${folder}\\b`));
      expect(check.run).toMatch(new RegExp(`git ls-files --others .* -- .*\\b${folder}\\b`));
    }
  });

  it('refuse an unreleased tag in any released environment, and a tag staging has not run', () => {
    const released = workflow('ci.yml').jobs.released!;
    expect(released.steps[0]?.with).toMatchObject({ 'fetch-depth': 0 });
    expect(released.steps.map((step) => step.run ?? '').join('\n')).toContain(
      `for environment in ${PROMOTION_ORDER.join(' ')}; do`,
    );
    const stagedFirst = released.steps.at(-1)!;
    // A pull request is judged on its base branch's history: base_ref is set on pull requests only.
    expect(stagedFirst.run).toBe(
      'node --import tsx charts/releases/staged-first.ts ${BASE_REF:+--base "origin/$BASE_REF"}',
    );
    expect(stagedFirst.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
  });
});

describe('e2e.yml', () => {
  const e2e = steps('e2e.yml');
  const localCluster = `npm run ${LOCAL_CLUSTER_SCRIPT}`;

  it('brings the cluster up with the command the README gives a newcomer', () => {
    expect(packageScripts()[LOCAL_CLUSTER_SCRIPT]).toBe(
      'node --import tsx scripts/local-cluster/main.ts',
    );
    expect(e2e.filter((step) => step.run?.trim() === localCluster)).toHaveLength(1);
    expect(readmeToACluster()).toContain(localCluster);
  });

  it('lets the command create the cluster, after installing kind only', () => {
    const kind = e2e.filter((step) => step.uses?.startsWith('helm/kind-action@'));
    expect(kind).toHaveLength(1);
    // The kind release the command's rules were read from, not the action's default.
    expect(kind[0]!.with).toEqual({ install_only: true, version: KIND_VERSION });
    expect(e2e.indexOf(kind[0]!)).toBeLessThan(runIndex(e2e, new RegExp(`^${localCluster}$`)));
    expect(read('e2e.yml')).not.toMatch(/kind (create|load)|docker (buildx )?build|kubectl apply/);
  });

  it('reaches bird as the command says to, once the command has run', () => {
    const portForward = howToReachBird(local.namespace)[1]!.trim();
    const call = runIndex(e2e, /port-forward/);
    expect(e2e[call]!.run).toContain(`${portForward} > port-forward.log`);
    expect(call).toBeGreaterThan(runIndex(e2e, new RegExp(`^${localCluster}$`)));
    // Every kubectl of the job reads the local environment on the command's cluster.
    const kubectl = read('e2e.yml').match(/^\s*kubectl .*$/gm) ?? [];
    expect(kubectl.length).toBeGreaterThan(3);
    for (const line of kubectl) {
      expect(line.trim()).toMatch(
        new RegExp(`^kubectl --context ${kubeContext()} -n ${local.namespace} `),
      );
    }
  });
});

describe("the README's To a cluster", () => {
  it('prints the port-forward the command prints, and the images dist/ needs published', () => {
    const section = readmeToACluster();
    expect(section).toContain(howToReachBird(local.namespace)[1]!.trim());
    expect(publishedImageProblems(section, production)).toEqual([]);
    expect(section).toContain(`port-forward svc/bird ${LOCAL_BIRD_PORT}:${SERVICE_PORT}`);
  });
});

describe('charts/image-refs.ts', () => {
  it('names exactly the images dist/ deploys', () => {
    const deployed = Object.fromEntries(
      ofKind<Deployment>(loadManifests(), 'Deployment').map((deployment) => [
        deployment.metadata.name,
        deployment.spec.template.spec.containers[0]!.image,
      ]),
    );
    const refs = imageRefs(production);
    expect(Object.fromEntries(SERVICES.map((service) => [service, refs[service].ref]))).toEqual(
      deployed,
    );
  });

  it('splits each reference into registry host, repository and tag', () => {
    expect(
      imageRefs({ ...production, imageRegistry: 'registry.example:5000/team', imageTag: '1.2.3' })
        .bird,
    ).toEqual({
      host: 'registry.example:5000',
      repository: 'registry.example:5000/team/aviary-bird',
      tag: '1.2.3',
      ref: 'registry.example:5000/team/aviary-bird:1.2.3',
    });
  });

  it('refuses a moving tag, as the charts do', () => {
    expect(() => imageRefs({ ...production, imageTag: 'latest' })).toThrowError(/latest/);
  });
});
