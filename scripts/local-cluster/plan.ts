import path from 'node:path';
import { SERVICE_PORT } from '../../charts/constructs/web-service.js';
import { SERVICES, type ImageRef, type Service } from '../../charts/image-refs.js';
import { KIND_PROVIDER_VARIABLE, type Engine } from './prerequisites.js';
import type { Command } from './runner.js';

/** The kind cluster the command creates, or reuses when it exists. */
export const LOCAL_CLUSTER_NAME = 'aviary';

/** How long `kind create cluster` waits for its control plane (`--wait`). */
export const CLUSTER_READY_TIMEOUT = '120s';

/** How long each Deployment gets to roll out, as e2e.yml gave it before this command. */
export const ROLLOUT_TIMEOUT = '180s';

/** The port on your machine that `port-forward` reaches bird's Service on. */
export const LOCAL_BIRD_PORT = 8080;

/** One step of the plan: what it does, in words, and the command that does it. */
export interface Step {
  readonly title: string;
  readonly command: Command;
}

/** What the plan needs to know, found out before anything changes. */
export interface LocalClusterFacts {
  /** The engine kind runs on, and that builds and holds the images. */
  readonly engine: Engine;
  /** Whether the kind cluster {@link LOCAL_CLUSTER_NAME} already exists. */
  readonly clusterExists: boolean;
  /** The local environment's image of each service (`imageRefs(local)`). */
  readonly images: Readonly<Record<Service, ImageRef>>;
  /** The local environment's namespace. */
  readonly namespace: string;
  /** The local environment's render, relative to the repository root (applied non-recursively). */
  readonly manifests: string;
  /** A scratch folder for image archives (podman only: kind cannot read podman's images). */
  readonly scratch: string;
}

/**
 * The kubectl context kind writes for a cluster: `kind-<name>`, in kind v0.32.0's
 * `pkg/cluster/internal/kubeconfig/internal/kubeconfig/helpers.go` (kubernetes-sigs/kind).
 * Every kubectl step names it, so the command never applies to whatever cluster is current.
 */
export function kubeContext(clusterName = LOCAL_CLUSTER_NAME): string {
  return `kind-${clusterName}`;
}

/**
 * A kind command on `engine`: kind and the builds must agree on where the images are. kind
 * picks docker by itself when it is there (as `checkPrerequisites` does); podman it is told,
 * so that a machine with both, asked for podman, keeps to it.
 */
export function kind(engine: Engine, args: readonly string[]): Command {
  const env = engine === 'podman' ? { [KIND_PROVIDER_VARIABLE]: engine } : undefined;
  return { program: 'kind', args, env };
}

function kubectl(args: readonly string[]): Command {
  return { program: 'kubectl', args: ['--context', kubeContext(), ...args] };
}

function cluster(facts: LocalClusterFacts): Step {
  const name = ['--name', LOCAL_CLUSTER_NAME];
  return facts.clusterExists
    ? {
        title: `Reuse the kind cluster "${LOCAL_CLUSTER_NAME}"`,
        command: kind(facts.engine, ['export', 'kubeconfig', ...name]),
      }
    : {
        title: `Create the kind cluster "${LOCAL_CLUSTER_NAME}"`,
        command: kind(facts.engine, [
          'create',
          'cluster',
          ...name,
          '--wait',
          CLUSTER_READY_TIMEOUT,
        ]),
      };
}

function build(engine: Engine, service: Service, ref: string): Step {
  // The Dockerfile's cache mounts and $BUILDPLATFORM need BuildKit, Docker's default since 23.0.
  const env = engine === 'docker' ? { DOCKER_BUILDKIT: '1' } : undefined;
  return {
    title: `Build ${ref} (Dockerfile target ${service})`,
    command: { program: engine, args: ['build', '--target', service, '--tag', ref, '.'], env },
  };
}

// `kind load docker-image` runs `docker save` whatever the provider (kind v0.32.0,
// pkg/cmd/kind/load/docker-image/docker-image.go), so podman's images travel as an archive.
function load(facts: LocalClusterFacts, service: Service, ref: string): Step[] {
  const title = `Load ${ref} into the cluster`;
  const name = ['--name', LOCAL_CLUSTER_NAME];
  if (facts.engine === 'docker') {
    return [{ title, command: kind('docker', ['load', 'docker-image', ref, ...name]) }];
  }
  const archive = path.join(facts.scratch, `${service}.tar`);
  return [
    {
      title: `Save ${ref} to an archive`,
      command: {
        program: 'podman',
        args: ['save', '--format', 'docker-archive', '--output', archive, ref],
      },
    },
    { title, command: kind('podman', ['load', 'image-archive', archive, ...name]) },
  ];
}

/**
 * Every step of `npm run local-cluster`, in order: the cluster, both images built from the
 * Dockerfile's targets and loaded into it, the local environment's render applied, and each
 * Deployment's rollout awaited. Data only: the caller runs it.
 */
export function localClusterPlan(facts: LocalClusterFacts): Step[] {
  const refs = SERVICES.map((service) => [service, facts.images[service].ref] as const);
  return [
    cluster(facts),
    ...refs.map(([service, ref]) => build(facts.engine, service, ref)),
    ...refs.flatMap(([service, ref]) => load(facts, service, ref)),
    {
      title: `Apply ${facts.manifests}/`,
      command: kubectl(['apply', '--filename', facts.manifests]),
    },
    ...SERVICES.map((service) => ({
      title: `Wait for deployment/${service}`,
      command: kubectl([
        '--namespace',
        facts.namespace,
        'rollout',
        'status',
        `deployment/${service}`,
        `--timeout=${ROLLOUT_TIMEOUT}`,
      ]),
    })),
  ];
}

/** What the command prints once bird runs: how to reach it from your machine. */
export function howToReachBird(namespace: string): string[] {
  const bird: Service = 'bird';
  const url = `http://localhost:${LOCAL_BIRD_PORT}/`;
  return [
    `Aviary runs on the kind cluster "${LOCAL_CLUSTER_NAME}", namespace ${namespace}. To reach bird:`,
    `  kubectl --context ${kubeContext()} -n ${namespace} port-forward svc/${bird} ${LOCAL_BIRD_PORT}:${SERVICE_PORT}`,
    `then, in another terminal: curl -s ${url}   (or open ${url} in a browser)`,
    `When done: kind delete cluster --name ${LOCAL_CLUSTER_NAME}`,
  ];
}
