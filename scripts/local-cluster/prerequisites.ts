import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** A container engine kind can run its nodes on, and that builds and holds the images. */
export type Engine = 'docker' | 'podman';

/** Where to get each tool the command runs: what a "missing" line points at. */
export const INSTALL_HINTS = {
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  docker: 'https://docs.docker.com/get-started/get-docker/',
  podman: 'https://podman.io/docs/installation',
} as const;

/**
 * The kind release whose source the command's rules cite (the comments below, plan.ts) and that
 * e2e.yml installs (helm/kind-action's `version`).
 */
export const KIND_VERSION = 'v0.32.0';

/**
 * kind's own switch between engines: kind v0.32.0 reads it in
 * `pkg/internal/runtime/runtime.go` (kubernetes-sigs/kind), and otherwise picks docker first,
 * then nerdctl, then podman (`DetectNodeProvider`, `pkg/cluster/provider.go`). The command
 * prefers docker too, and names podman to kind when it builds with podman, so that kind's nodes
 * and the images are on the same engine.
 */
export const KIND_PROVIDER_VARIABLE = 'KIND_EXPERIMENTAL_PROVIDER';

/** What the machine has, or one line per missing tool saying how to get it. */
export type Prerequisites =
  | { readonly ok: true; readonly engine: Engine }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Whether `program` is an executable file in one of the folders of `PATH`. */
export function onPath(program: string, searchPath: string | undefined): boolean {
  return (searchPath ?? '')
    .split(path.delimiter)
    .filter((folder) => folder !== '')
    .some((folder) => isExecutableFile(path.join(folder, program)));
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function chooseEngine(env: NodeJS.ProcessEnv): { engine: Engine } | { problem: string } {
  const has = (program: Engine) => onPath(program, env.PATH);
  const requested = env[KIND_PROVIDER_VARIABLE];
  if (requested === 'docker' || requested === 'podman') {
    if (has(requested)) return { engine: requested };
    return {
      problem:
        `${KIND_PROVIDER_VARIABLE}=${requested} but ${requested} is not installed: ` +
        `get it from ${INSTALL_HINTS[requested]}, or unset ${KIND_PROVIDER_VARIABLE}`,
    };
  }
  if (requested) {
    return {
      problem: `${KIND_PROVIDER_VARIABLE}=${JSON.stringify(requested)} is not supported here: use docker or podman`,
    };
  }
  if (has('docker')) return { engine: 'docker' };
  if (has('podman')) return { engine: 'podman' };
  return {
    problem:
      `no container engine: install Docker (${INSTALL_HINTS.docker}) or Podman ` +
      `(${INSTALL_HINTS.podman}; kind then runs with ${KIND_PROVIDER_VARIABLE}=podman)`,
  };
}

/**
 * Checks that kind, kubectl and a container engine (docker, or podman) are on `env.PATH`,
 * before anything runs: a missing tool is one line naming it and where to get it.
 */
export function checkPrerequisites(env: NodeJS.ProcessEnv): Prerequisites {
  const problems: string[] = [];
  for (const tool of ['kind', 'kubectl'] as const) {
    if (!onPath(tool, env.PATH)) {
      problems.push(`${tool} is not installed: get it from ${INSTALL_HINTS[tool]}`);
    }
  }
  const choice = chooseEngine(env);
  if ('problem' in choice) problems.push(choice.problem);
  else if (problems.length === 0) return { ok: true, engine: choice.engine };
  return { ok: false, problems };
}
