import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, Env, From, type Copy, type Instruction } from 'dockerfile-ast';

/** The repository root, where the Dockerfile and the build context are. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A `FROM` and the instructions up to the next one. */
export interface Stage {
  /** The `AS` name, if any. */
  readonly name: string | undefined;
  /** The image or earlier stage it starts from. */
  readonly base: string;
  /** As `dockerfile-ast` reads them: continuations joined, comments and flags set apart. */
  readonly instructions: readonly Instruction[];
}

/** What `docker run` of a target would use: the target's stage and every stage it builds on. */
export interface ImageConfig {
  readonly target: string;
  /** The stages from the one on an external image down to the target. */
  readonly chain: readonly Stage[];
  readonly cmd: readonly string[] | undefined;
  readonly entrypoint: readonly string[] | undefined;
  readonly workdir: string;
  readonly user: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly exposedPorts: readonly number[];
}

/** Reads the repository's Dockerfile. */
export function readDockerfile(file = path.join(REPO_ROOT, 'Dockerfile')): string {
  return readFileSync(file, 'utf8');
}

/** Parses a Dockerfile with `dockerfile-ast` and splits it into stages. */
export function parseDockerfile(text: string): Stage[] {
  const stages: { name: string | undefined; base: string; instructions: Instruction[] }[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) {
      const base = instruction.getImage();
      if (!base) throw new Error(`line ${lineOf(instruction)}: FROM names no image`);
      stages.push({ name: instruction.getBuildStage() ?? undefined, base, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage)
        throw new Error(`line ${lineOf(instruction)}: ${instruction.getKeyword()} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;

/**
 * The exec form of `CMD`/`ENTRYPOINT`/`COPY`, or the shell form as Docker would run it. Docker
 * decides by whether the arguments parse as a JSON array of strings; `dockerfile-ast`'s own JSON
 * strings drop the spaces inside them, so the arguments are parsed here.
 */
export function execForm(instruction: Instruction): string[] {
  const args = instruction.getArgumentsContent() ?? '';
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Not JSON: the shell form.
  }
  return ['/bin/sh', '-c', args];
}

/** The paths a `COPY` copies (exec form included) and the stage of its `--from`, if any. */
export function copySources(copy: Copy): { from: string | undefined; sources: string[] } {
  const words = copy.getOpeningBracket()
    ? execForm(copy)
    : copy.getArguments().map((a) => a.getValue());
  return { from: copy.getFromFlag()?.getValue() ?? undefined, sources: words.slice(0, -1) };
}

/** The stage named `name`, or `undefined`. */
export function findStage(stages: readonly Stage[], name: string): Stage | undefined {
  return stages.find((stage) => stage.name === name);
}

/** Every `FROM` that names an image rather than an earlier stage. */
export function externalBases(stages: readonly Stage[]): string[] {
  return stages
    .filter((stage, index) => !stages.slice(0, index).some((s) => s.name === stage.base))
    .map((stage) => stage.base);
}

/** Resolves the configuration `docker build --target <target>` would give the image. */
export function resolveTarget(stages: readonly Stage[], target: string): ImageConfig {
  const chain: Stage[] = [];
  for (let stage = findStage(stages, target); stage; stage = findStage(stages, stage.base)) {
    chain.unshift(stage);
  }
  if (chain.length === 0) throw new Error(`the Dockerfile has no stage "${target}"`);
  // Only what the Dockerfile says: the external base image's own settings are unknown here.
  let cmd: string[] | undefined;
  let entrypoint: string[] | undefined;
  let workdir = '/';
  let user: string | undefined;
  const env: Record<string, string> = {};
  const exposedPorts: number[] = [];
  for (const instruction of chain.flatMap((stage) => stage.instructions)) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArgumentsContent() ?? '';
    if (keyword === 'CMD') cmd = execForm(instruction);
    if (keyword === 'ENTRYPOINT') [entrypoint, cmd] = [execForm(instruction), undefined];
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
    if (keyword === 'USER') user = args;
    if (keyword === 'EXPOSE') exposedPorts.push(...args.split(/\s+/).map((p) => parseInt(p, 10)));
    if (instruction instanceof Env) {
      for (const variable of instruction.getProperties()) {
        env[variable.getName()] = variable.getValue() ?? '';
      }
    }
  }
  return { target, chain, cmd, entrypoint, workdir, user, env, exposedPorts };
}

/** The `RUN` commands of a stage, split on `&&`, flags such as `--mount` left out. */
export function runCommands(stage: Stage): string[] {
  return stage.instructions
    .filter((instruction) => instruction.getKeyword() === 'RUN')
    .flatMap((instruction) =>
      instruction
        .getArguments()
        .map((a) => a.getValue())
        .join(' ')
        .split('&&'),
    )
    .map((command) => command.trim());
}

/** Whether a shell command installs npm packages (`npm ci`, `npm install`, `npm i`). */
export function isNpmInstall(command: string): boolean {
  return /^npm\s+(ci|install|i)(\s|$)/.test(command);
}
