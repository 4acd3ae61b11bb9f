import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where the Dockerfile and the build context are. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One instruction, its continuation lines joined. */
export interface Instruction {
  /** Upper-case, e.g. `RUN`. */
  readonly keyword: string;
  /** Everything after the keyword, flags included. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

/** A `FROM` and the instructions up to the next one. */
export interface Stage {
  /** The `AS` name, if any. */
  readonly name: string | undefined;
  /** The image or earlier stage it starts from. */
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

/** A `COPY`, split into its parts. */
export interface Copy {
  /** The stage named by `--from`; `undefined` for the build context. */
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly destination: string;
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

/**
 * Splits a Dockerfile into stages. Handles what this repository uses: comments and parser
 * directives, `\` continuations (comment lines inside one are dropped, as Docker does), and
 * `FROM [--platform=…] image [AS name]`.
 */
export function parseDockerfile(text: string): Stage[] {
  const stages: { name: string | undefined; base: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const words = withoutFlags(instruction.args).split(/\s+/);
      const named = words.length === 3 && words[1]!.toUpperCase() === 'AS';
      if (words.length !== 1 && !named) {
        throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      }
      stages.push({ name: named ? words[2] : undefined, base: words[0]!, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    // Docker skips comment and empty lines, inside a continuation too.
    if (line.startsWith('#') || line === '') return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending
      ? { ...pending, text: `${pending.text} ${part}` }
      : { text: part, line: index + 1 };
    if (continued) return;
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    result.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  });
  return result;
}

/** The arguments without leading `--flag=value` words (`--platform`, `--mount`, `--from`, …). */
export function withoutFlags(args: string): string {
  return args.replace(/^(--\S+\s+)+/, '');
}

/** The value of a leading `--name=value` flag of an instruction, if given. */
export function flag(args: string, name: string): string | undefined {
  const flags = args.slice(0, args.length - withoutFlags(args).length);
  return new RegExp(`(?:^|\\s)--${name}=(\\S+)`).exec(flags)?.[1];
}

/** The exec (JSON) form of `CMD`/`ENTRYPOINT`, or the shell form as Docker would run it. */
export function execForm(args: string): string[] {
  if (args.startsWith('[')) {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    throw new Error(`not an exec form: ${args}`);
  }
  return ['/bin/sh', '-c', args];
}

/** Splits the arguments of a `COPY`; exec (JSON) form included. */
export function parseCopy(args: string): Copy {
  const rest = withoutFlags(args);
  const paths = rest.startsWith('[') ? execForm(rest) : rest.split(/\s+/);
  if (paths.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from: flag(args, 'from'), sources: paths.slice(0, -1), destination: paths.at(-1)! };
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
  for (const { keyword, args } of chain.flatMap((stage) => stage.instructions)) {
    if (keyword === 'CMD') cmd = execForm(args);
    if (keyword === 'ENTRYPOINT') [entrypoint, cmd] = [execForm(args), undefined];
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
    if (keyword === 'USER') user = args;
    if (keyword === 'ENV') Object.assign(env, parseEnv(args));
    if (keyword === 'EXPOSE') exposedPorts.push(...args.split(/\s+/).map((p) => parseInt(p, 10)));
  }
  return { target, chain, cmd, entrypoint, workdir, user, env, exposedPorts };
}

/** `ENV A=1 B="two words"`, or the legacy `ENV A value`. */
function parseEnv(args: string): Record<string, string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [key = '', ...value] = args.split(/\s+/);
    return { [key]: value.join(' ') };
  }
  const env: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) {
    env[match[1]!] = match[3] ?? match[2]!;
  }
  return env;
}

/** The `RUN` commands of a stage, split on `&&`, flags such as `--mount` removed. */
export function runCommands(stage: Stage): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'RUN')
    .flatMap((instruction) => withoutFlags(instruction.args).split('&&'))
    .map((command) => command.trim());
}

/** Whether a shell command installs npm packages (`npm ci`, `npm install`, `npm i`). */
export function isNpmInstall(command: string): boolean {
  return /^npm\s+(ci|install|i)(\s|$)/.test(command);
}
