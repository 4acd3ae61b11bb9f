import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { local } from '../../charts/environments.js';
import { bringUpLocalCluster } from '../../scripts/local-cluster/local-cluster.js';
import { localClusterPlan } from '../../scripts/local-cluster/plan.js';
import { imageRefs } from '../../charts/image-refs.js';
import { commandLine, type Command, type Runner } from '../../scripts/local-cluster/runner.js';
import { toolFolder } from './tool-folder.js';

/**
 * A runner that records each command; a command whose line contains a key of `statuses` exits
 * with its value, any other with 0.
 */
function recordingRunner(clusters: string, statuses: Record<string, number> = {}) {
  const ran: string[] = [];
  const statusOf = (command: Command) =>
    Object.entries(statuses).find(([part]) => commandLine(command).includes(part))?.[1] ?? 0;
  const runner: Runner = {
    run: (command) => {
      ran.push(commandLine(command));
      return statusOf(command);
    },
    capture: (command) => {
      ran.push(commandLine(command));
      return { status: statusOf(command), stdout: clusters };
    },
  };
  return { runner, ran };
}

/** A repository root holding the local render's folder, or not. */
function repositoryRoot({ withRender = true } = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'local-cluster-root-'));
  if (withRender) mkdirSync(path.join(root, local.gitops.path), { recursive: true });
  return root;
}

function bringUp(runner: Runner, root = repositoryRoot(), tools = ['kind', 'kubectl', 'docker']) {
  const said: string[] = [];
  const complained: string[] = [];
  const status = bringUpLocalCluster({
    env: { PATH: toolFolder(tools) },
    root,
    environment: local,
    runner,
    scratch: '/tmp/scratch',
    say: (line) => said.push(line),
    complain: (line) => complained.push(line),
  });
  return { status, said, complained };
}

const planFor = (clusterExists: boolean, engine: 'docker' | 'podman' = 'docker') =>
  localClusterPlan({
    engine,
    clusterExists,
    images: imageRefs(local),
    namespace: local.namespace,
    manifests: local.gitops.path,
    scratch: '/tmp/scratch',
  });

describe('bringUpLocalCluster', () => {
  it('asks kind for its clusters, runs the whole plan in order, then says how to reach bird', () => {
    const { runner, ran } = recordingRunner('');
    const { status, said, complained } = bringUp(runner);
    expect(status).toBe(0);
    expect(complained).toEqual([]);
    const plan = planFor(false);
    expect(ran).toEqual(['kind get clusters', ...plan.map((step) => commandLine(step.command))]);
    expect(said[0]).toBe(`[1/${plan.length}] ${plan[0]!.title}`);
    expect(said.at(-3)).toMatch(/port-forward svc\/bird 8080:80$/);
  });

  it('reuses the cluster kind lists, on the engine it found', () => {
    const { runner, ran } = recordingRunner('other\naviary\n');
    expect(bringUp(runner, undefined, ['kind', 'kubectl', 'podman']).status).toBe(0);
    expect(ran.slice(1)).toEqual(planFor(true, 'podman').map((step) => commandLine(step.command)));
    expect(ran[0]).toBe('KIND_EXPERIMENTAL_PROVIDER=podman kind get clusters');
    expect(ran[1]).toContain('kind export kubeconfig');
  });

  it('stops at the first failing step, naming it and its command', () => {
    const { runner, ran } = recordingRunner('', { ' apply ': 1 });
    const { status, said, complained } = bringUp(runner);
    expect(status).toBe(1);
    expect(ran.at(-1)).toBe('kubectl --context kind-aviary apply --filename environments/local');
    expect(complained).toEqual([
      'local-cluster: "Apply environments/local/" failed (exit 1): ' +
        'kubectl --context kind-aviary apply --filename environments/local',
    ]);
    expect(said.join('\n')).not.toContain('port-forward');
  });

  it('stops when kind cannot list its clusters', () => {
    const { runner, ran } = recordingRunner('', { 'kind get clusters': 1 });
    const { status, complained } = bringUp(runner);
    expect(status).toBe(1);
    expect(ran).toHaveLength(1);
    expect(complained).toEqual([
      'local-cluster: could not list the kind clusters (exit 1): ' + 'kind get clusters',
    ]);
  });

  it('runs nothing without the local render, and says how to make it', () => {
    const { runner, ran } = recordingRunner('');
    const { status, complained } = bringUp(runner, repositoryRoot({ withRender: false }));
    expect(status).toBe(1);
    expect(ran).toEqual([]);
    expect(complained).toEqual([
      'local-cluster: environments/local/ does not exist: run npm run synth first',
    ]);
  });

  it('runs nothing when a tool is missing', () => {
    const { runner, ran } = recordingRunner('');
    const { status, complained } = bringUp(runner, undefined, ['kubectl', 'docker']);
    expect(status).toBe(1);
    expect(ran).toEqual([]);
    expect(complained).toHaveLength(1);
  });
});
