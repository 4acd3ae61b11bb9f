import { Copy } from 'dockerfile-ast';
import {
  copySources,
  externalBases,
  findStage,
  isNpmInstall,
  resolveTarget,
  runCommands,
  type ImageConfig,
  type Stage,
} from './dockerfile.js';

/** What one service's target must run. */
export interface TargetExpectation {
  /** The compiled entry, relative to the repository root and to the image's WORKDIR. */
  readonly entry: string;
  /** The service's default port. */
  readonly port: number;
}

/** What the Dockerfile is checked against; the test derives each value from its source. */
export interface DockerfileExpectations {
  /** One target per service, by target name. */
  readonly targets: Readonly<Record<string, TargetExpectation>>;
  /** `uid:gid` the manifests run the pods as. */
  readonly user: string;
  /** Node.js majors that are a current LTS. */
  readonly nodeMajors: readonly number[];
}

// node:MAJOR.MINOR.PATCH with an optional variant (-bookworm-slim, -alpine3.22) and digest.
const PINNED_NODE = /^node:(\d+)\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$/;
const PACKAGE_RUNNERS = /^(npm|npx|yarn|yarnpkg|pnpm|corepack)$/;

/** Every way the Dockerfile breaks the image contract (docs/contract.md#images); empty when it keeps it. */
export function dockerfileProblems(
  stages: readonly Stage[],
  expected: DockerfileExpectations,
): string[] {
  const problems = baseProblems(stages, expected.nodeMajors);
  for (const [target, service] of Object.entries(expected.targets)) {
    if (!findStage(stages, target)) {
      problems.push(`no target "${target}": add a stage "FROM runtime AS ${target}"`);
      continue;
    }
    const image = resolveTarget(stages, target);
    problems.push(
      ...userProblems(image, expected.user),
      ...commandProblems(image, service.entry),
      ...exposeProblems(image, service.port),
      ...productionOnlyProblems(stages, image),
    );
  }
  return problems;
}

function baseProblems(stages: readonly Stage[], majors: readonly number[]): string[] {
  const bases = [...new Set(externalBases(stages))];
  const problems = bases.flatMap((base) => {
    const match = PINNED_NODE.exec(base);
    if (!match) return [`base "${base}" is not pinned to a full node:MAJOR.MINOR.PATCH tag`];
    const major = Number(match[1]);
    return majors.includes(major)
      ? []
      : [`base "${base}": Node.js ${major} is not a current LTS (${majors.join(' or ')})`];
  });
  // The code is compiled by one Node.js and run by another otherwise.
  if (bases.length > 1) problems.push(`the stages start from different bases: ${bases.join(', ')}`);
  return problems;
}

function userProblems(image: ImageConfig, user: string): string[] {
  if (image.user === user) return [];
  return [
    `target "${image.target}": USER is ${image.user ?? 'not set (root)'}, expected ${user} ` +
      '(numeric, as the manifests run it)',
  ];
}

function commandProblems(image: ImageConfig, entry: string): string[] {
  const problems: string[] = [];
  const where = `target "${image.target}"`;
  // Without `ENTRYPOINT []` the base image's entrypoint script would run first.
  if (image.entrypoint?.length !== 0) {
    problems.push(`${where}: set ENTRYPOINT [] so that CMD alone starts the process`);
  }
  const words = [...(image.entrypoint ?? []), ...(image.cmd ?? [])];
  if (words.some((word) => PACKAGE_RUNNERS.test(word) || /\bnpm\b/.test(word))) {
    problems.push(`${where}: npm in CMD/ENTRYPOINT; SIGTERM would reach npm, not the service`);
  }
  if (image.cmd?.[0] !== 'node' || image.cmd.length !== 2 || image.cmd[1] !== entry) {
    problems.push(`${where}: CMD is ${JSON.stringify(image.cmd)}, expected ["node", "${entry}"]`);
  }
  return problems;
}

function exposeProblems(image: ImageConfig, port: number): string[] {
  const exposed = image.exposedPorts.join(', ') || 'nothing';
  return exposed === String(port)
    ? []
    : [`target "${image.target}": EXPOSE ${exposed}, expected the default port ${port}`];
}

/** The runtime stages install nothing for development, and node_modules comes from a prune. */
function productionOnlyProblems(stages: readonly Stage[], image: ImageConfig): string[] {
  const where = `target "${image.target}"`;
  const problems = image.chain
    .flatMap(runCommands)
    .filter((command) => isNpmInstall(command) && !command.includes('--omit=dev'))
    .map((command) => `${where} installs development dependencies: ${command}`);
  const modules = image.chain
    .flatMap((stage) => stage.instructions)
    .filter((instruction) => instruction instanceof Copy)
    .map(copySources)
    .filter((copy) => copy.sources.some((source) => /(^|\/)node_modules\/?$/.test(source)));
  if (modules.length === 0) problems.push(`${where}: no node_modules is copied into the image`);
  for (const { from } of modules) {
    const stage = from === undefined ? undefined : findStage(stages, from);
    const installs = stage ? runCommands(stage).filter(isNpmInstall) : [];
    if (installs.length === 0 || installs.some((command) => !command.includes('--omit=dev'))) {
      problems.push(
        `${where} copies node_modules from "${from ?? 'the build context'}", which is not ` +
          'installed with npm ci --omit=dev',
      );
    }
  }
  return problems;
}
