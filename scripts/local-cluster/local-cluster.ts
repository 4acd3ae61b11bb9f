import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AviaryEnvironment } from '../../charts/environments.js';
import { imageRefs } from '../../charts/image-refs.js';
import { howToReachBird, kind, LOCAL_CLUSTER_NAME, localClusterPlan } from './plan.js';
import { checkPrerequisites } from './prerequisites.js';
import { commandLine, type Runner } from './runner.js';

/** Prefix of every line the command writes about itself, as `synth:` is for synth. */
export const PREFIX = 'local-cluster:';

/** The environment the command deploys, by its name in `charts/environments.ts`. */
export const LOCAL_ENVIRONMENT = 'local';

/** Everything `bringUpLocalCluster` touches, passed in so that a test can hand in its own. */
export interface LocalClusterDependencies {
  /** The variables the command runs with: `PATH` and `KIND_EXPERIMENTAL_PROVIDER`. */
  readonly env: NodeJS.ProcessEnv;
  /** The repository root, where the images are built and the render is read. */
  readonly root: string;
  /** The environment to deploy: `local`. */
  readonly environment: AviaryEnvironment;
  readonly runner: Runner;
  /** A folder for temporary files, removed by the caller. */
  readonly scratch: string;
  /** Writes a line of progress (standard output). */
  readonly say: (line: string) => void;
  /** Writes a line of error (standard error). */
  readonly complain: (line: string) => void;
}

/**
 * `npm run local-cluster`: checks the tools, finds out whether the kind cluster exists, then
 * runs {@link localClusterPlan} step by step, stopping at the first that fails. Returns the
 * exit status: 0 once bird is rolled out (and how to reach it printed), 1 otherwise.
 */
export function bringUpLocalCluster(deps: LocalClusterDependencies): number {
  const { environment, runner, say, complain } = deps;
  const prerequisites = checkPrerequisites(deps.env);
  if (!prerequisites.ok) {
    for (const problem of prerequisites.problems) complain(`${PREFIX} ${problem}`);
    return 1;
  }
  const { engine } = prerequisites;
  const manifests = environment.gitops.path;
  if (!existsSync(path.join(deps.root, manifests))) {
    complain(`${PREFIX} ${manifests}/ does not exist: run npm run synth first`);
    return 1;
  }
  const list = kind(engine, ['get', 'clusters']);
  const clusters = runner.capture(list);
  if (clusters.status !== 0) {
    complain(
      `${PREFIX} could not list the kind clusters (exit ${clusters.status}): ${commandLine(list)}`,
    );
    return 1;
  }
  const plan = localClusterPlan({
    engine,
    clusterExists: clusters.stdout.split('\n').includes(LOCAL_CLUSTER_NAME),
    images: imageRefs(environment),
    namespace: environment.namespace,
    manifests,
    scratch: deps.scratch,
  });
  for (const [index, step] of plan.entries()) {
    say(`[${index + 1}/${plan.length}] ${step.title}`);
    const status = runner.run(step.command);
    if (status !== 0) {
      complain(`${PREFIX} "${step.title}" failed (exit ${status}): ${commandLine(step.command)}`);
      return 1;
    }
  }
  for (const line of howToReachBird(environment.namespace)) say(line);
  return 0;
}
