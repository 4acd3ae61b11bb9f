import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { local } from '../../charts/environments.js';
import { imageRefs, SERVICES, type Service } from '../../charts/image-refs.js';
import {
  CLUSTER_READY_TIMEOUT,
  howToReachBird,
  kubeContext,
  LOCAL_BIRD_PORT,
  LOCAL_CLUSTER_NAME,
  localClusterPlan,
  ROLLOUT_TIMEOUT,
  type LocalClusterFacts,
  type Step,
} from '../../scripts/local-cluster/plan.js';
import { KIND_PROVIDER_VARIABLE } from '../../scripts/local-cluster/prerequisites.js';
import { commandLine } from '../../scripts/local-cluster/runner.js';
import { parseDockerfile, readDockerfile, REPO_ROOT, resolveTarget } from '../image/dockerfile.js';

const images = imageRefs(local);
const facts: LocalClusterFacts = {
  engine: 'docker',
  clusterExists: false,
  images,
  namespace: local.namespace,
  manifests: local.gitops.path,
  scratch: '/tmp/scratch',
};
const argsOf = (plan: ReturnType<typeof localClusterPlan>) =>
  plan.map((step) => [step.command.program, ...step.command.args]);

describe('the local-cluster plan', () => {
  it('creates the cluster, builds and loads both images, applies, then waits: in that order', () => {
    const steps = argsOf(localClusterPlan(facts)).map((args) => args.slice(0, 3).join(' '));
    expect(steps).toEqual([
      'kind create cluster',
      'docker build --target',
      'docker build --target',
      `kind load docker-image`,
      `kind load docker-image`,
      `kubectl --context ${kubeContext()}`,
      `kubectl --context ${kubeContext()}`,
      `kubectl --context ${kubeContext()}`,
    ]);
  });

  it('builds each Dockerfile target under the local environment’s reference, and loads that', () => {
    const plan = localClusterPlan(facts);
    const stages = parseDockerfile(readDockerfile());
    const built = plan.filter((step) => step.command.args[0] === 'build');
    expect(built.map((step) => step.command.args)).toEqual(
      SERVICES.map((service) => ['build', '--target', service, '--tag', images[service].ref, '.']),
    );
    for (const service of SERVICES) expect(resolveTarget(stages, service).cmd).toBeDefined();
    const loaded = plan.filter((step) => step.command.args[0] === 'load');
    expect(loaded.map((step) => step.command.args[2])).toEqual(
      SERVICES.map((service) => images[service].ref),
    );
    // A moving tag would make the nodes pull (imagePullPolicy Always) instead of using these.
    for (const service of SERVICES) expect(images[service].tag).not.toBe('latest');
  });

  it('applies the top level of the local render to the kind cluster only, then awaits each Deployment', () => {
    const kubectl = localClusterPlan(facts).filter((step) => step.command.program === 'kubectl');
    expect(kubectl.map((step) => step.command.args)).toEqual([
      ['--context', 'kind-aviary', 'apply', '--filename', 'environments/local'],
      ...SERVICES.map((service) => [
        '--context',
        'kind-aviary',
        '--namespace',
        'aviary-local',
        'rollout',
        'status',
        `deployment/${service}`,
        '--timeout=180s',
      ]),
    ]);
  });

  it('runs every kind command on the engine that holds the images', () => {
    // Docker is kind's own first choice; podman it must be told (and a machine with both may
    // have asked for it).
    const expected = { docker: undefined, podman: { [KIND_PROVIDER_VARIABLE]: 'podman' } };
    for (const engine of ['docker', 'podman'] as const) {
      const kind = localClusterPlan({ ...facts, engine }).filter(
        (step) => step.command.program === 'kind',
      );
      expect(kind.length).toBeGreaterThan(0);
      for (const step of kind) expect(step.command.env).toEqual(expected[engine]);
    }
  });

  it('with podman, saves each image to an archive and loads the archive', () => {
    const plan = argsOf(localClusterPlan({ ...facts, engine: 'podman' }));
    const loading = plan.filter((args) => args.includes('save') || args.includes('load'));
    expect(loading).toEqual(
      SERVICES.flatMap((service) => [
        [
          'podman',
          'save',
          '--format',
          'docker-archive',
          '--output',
          `/tmp/scratch/${service}.tar`,
          images[service].ref,
        ],
        ['kind', 'load', 'image-archive', `/tmp/scratch/${service}.tar`, '--name', 'aviary'],
      ]),
    );
    expect(plan.filter((args) => args[1] === 'build').map((args) => args[0])).toEqual([
      'podman',
      'podman',
    ]);
  });

  it('reuses a cluster that exists', () => {
    const plan = localClusterPlan({ ...facts, clusterExists: true });
    expect(plan[0]!.command.args).toEqual(['export', 'kubeconfig', '--name', LOCAL_CLUSTER_NAME]);
    expect(argsOf(plan).some((args) => args.includes('create'))).toBe(false);
  });

  it('needs BuildKit from docker, for the Dockerfile’s cache mounts', () => {
    const build = localClusterPlan(facts).find((step) => step.command.program === 'docker');
    expect(readDockerfile()).toContain('--mount=type=cache');
    expect(commandLine(build!.command)).toMatch(/^DOCKER_BUILDKIT=1 docker build /);
  });
});

describe('docs/deploying.md, "A local cluster"', () => {
  const section = readFileSync(path.join(REPO_ROOT, 'docs/deploying.md'), 'utf8')
    .split('## A local cluster')[1]!
    .split('\n## ')[0]!
    .replace(/\s+/g, ' ');

  it('names the steps as the plan runs them', () => {
    const docker = localClusterPlan(facts);
    const podman = localClusterPlan({ ...facts, engine: 'podman', clusterExists: true });
    // Each step's program and first words, as the page writes them: no kubectl context or
    // namespace, a service as <service>, nothing from its image reference or archive path on.
    const generic = (step: Step) => {
      const words = [step.command.program, ...step.command.args].filter(
        (word, index, all) =>
          !/^--(context|namespace)$/.test(all[index - 1] ?? '') &&
          !/^--(context|namespace)$/.test(word),
      );
      const end = words.findIndex((word) => /[/:]/.test(word));
      return words
        .slice(0, Math.min(4, end === -1 ? 4 : end))
        .map((word) => (SERVICES.includes(word as Service) ? '<service>' : word))
        .join(' ');
    };
    for (const step of [...docker, ...podman]) expect(section).toContain(generic(step));
    expect(section).toContain(`--wait ${CLUSTER_READY_TIMEOUT}`);
    expect(section).toContain(`--timeout=${ROLLOUT_TIMEOUT}`);
    expect(section).toContain(`--context ${kubeContext()}`);
    expect(section).toContain(`--filename ${local.gitops.path}`);
    expect(section).toContain(`in \`${local.namespace}\``);
    expect(section).toContain(howToReachBird(local.namespace)[1]!.trim());
  });
});

describe('how to reach bird', () => {
  it('port-forwards bird’s Service in the local namespace, on the kind context', () => {
    const lines = howToReachBird(local.namespace);
    expect(lines).toContain(
      `  kubectl --context kind-aviary -n aviary-local port-forward svc/bird ${LOCAL_BIRD_PORT}:80`,
    );
    expect(lines.join('\n')).toContain(`curl -s http://localhost:${LOCAL_BIRD_PORT}/`);
  });
});
