import { execFile } from 'node:child_process';
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  findStage,
  parseCopy,
  resolveTarget,
  runCommands,
  withoutFlags,
  type Instruction,
  type Stage,
} from './dockerfile.js';

const run = promisify(execFile);

/** Where the inputs of the Dockerfile are on this machine. */
export interface ImageSources {
  /** The build context: the repository, or a variant of its package files. */
  readonly context: string;
  /**
   * Stands in for the stage that runs `npm run build`: a tree where it has run, at the stage's
   * WORKDIR. Compiling in a copy would only repeat what `npm run test:image` did first.
   */
  readonly buildOutput: string;
  /** An empty folder for what is made here. */
  readonly scratch: string;
}

/**
 * Lays out on disk what an image of the Dockerfile holds at its WORKDIR, by following the
 * Dockerfile rather than a copy of it: each `COPY` of the target's stages is carried out, and a
 * stage they copy from is made by running its own `COPY`s and `npm ci` (offline when the npm
 * cache allows). Stages are made once and shared between targets.
 */
export class ImageBuilder {
  readonly #stages: readonly Stage[];
  readonly #sources: ImageSources;
  readonly #made = new Map<string, Promise<string>>();

  constructor(stages: readonly Stage[], sources: ImageSources) {
    this.#stages = stages;
    this.#sources = sources;
  }

  /** Makes the image of `target`; resolves with the host folder holding its WORKDIR. */
  async build(target: string): Promise<string> {
    const image = resolveTarget(this.#stages, target);
    const root = path.join(this.#sources.scratch, `image-${target}`);
    const instructions = image.chain.flatMap((stage) => stage.instructions);
    // RUN here changes the base image's system (it removes npm), which the sandbox takes from
    // the host; the checks in dockerfile.test.ts keep installs out of these stages.
    await this.#replay(instructions, root, image.workdir, async () => {});
    return root;
  }

  /** The host folder standing for the WORKDIR of stage `name`, made on first use. */
  #stage(name: string): Promise<string> {
    let made = this.#made.get(name);
    if (!made) {
      made = this.#make(name);
      this.#made.set(name, made);
    }
    return made;
  }

  async #make(name: string): Promise<string> {
    const stage = findStage(this.#stages, name)!;
    if (runCommands(stage).some((command) => /^npm run build\b/.test(command))) {
      return this.#sources.buildOutput;
    }
    if (findStage(this.#stages, stage.base)) {
      throw new Error(`stage "${name}" starts from another stage: not emulated`);
    }
    const root = path.join(this.#sources.scratch, `stage-${name}`);
    await mkdir(root, { recursive: true });
    const workdir = resolveTarget(this.#stages, name).workdir;
    await this.#replay(stage.instructions, root, workdir, (run) => runInstall(run, root));
    return root;
  }

  /** Carries out WORKDIR and COPY into `root`, which stands for `workdir`; RUN goes to `onRun`. */
  async #replay(
    instructions: readonly Instruction[],
    root: string,
    workdir: string,
    onRun: (instruction: Instruction) => Promise<void>,
  ): Promise<void> {
    let current = '/';
    for (const instruction of instructions) {
      const { keyword, args } = instruction;
      if (keyword === 'WORKDIR') current = path.posix.resolve(current, args);
      if (keyword === 'COPY') await this.#copy(instruction, root, hostPath(root, workdir, current));
      if (keyword === 'RUN') await onRun(instruction);
    }
  }

  /** Carries out one COPY whose destination is relative to `here` (a host folder of `root`). */
  async #copy(instruction: Instruction, root: string, here: string): Promise<void> {
    const copy = parseCopy(instruction.args);
    if (copy.from !== undefined && !findStage(this.#stages, copy.from)) {
      throw new Error(`line ${instruction.line}: COPY --from=${copy.from} is not a stage`);
    }
    const fromRoot = copy.from ? await this.#stage(copy.from) : this.#sources.context;
    const fromWorkdir = copy.from ? resolveTarget(this.#stages, copy.from).workdir : '/';
    const destination = path.resolve(here, copy.destination);
    if (path.relative(root, destination).startsWith('..')) {
      throw new Error(`line ${instruction.line}: ${copy.destination} is outside WORKDIR`);
    }
    const intoFolder = copy.destination.endsWith('/') || copy.sources.length > 1;
    for (const source of copy.sources) {
      if (/[*?[]/.test(source)) throw new Error(`line ${instruction.line}: globs are not emulated`);
      // Sources of another stage are paths in its filesystem; of the context, relative to it.
      const origin = hostPath(fromRoot, fromWorkdir, path.posix.resolve('/', source));
      const isFolder = (await stat(origin)).isDirectory();
      const target =
        isFolder || !intoFolder ? destination : path.join(destination, path.basename(origin));
      // As Docker does: a folder's contents are copied, and symbolic links are kept as they are.
      await cp(origin, target, { recursive: true, verbatimSymlinks: true });
    }
  }
}

/** The host path of `file`, a path in a filesystem whose folder `workdir` is `root` here. */
function hostPath(root: string, workdir: string, file: string): string {
  const relative = path.posix.relative(workdir, file);
  if (relative.startsWith('..')) throw new Error(`${file} is outside ${workdir}: not emulated`);
  return path.join(root, relative);
}

/** Runs the `npm ci` of a stage's RUN in `root`; any other command cannot be emulated. */
async function runInstall(instruction: Instruction, root: string): Promise<void> {
  for (const command of withoutFlags(instruction.args)
    .split('&&')
    .map((c) => c.trim())) {
    const [tool, ...args] = command.split(/\s+/);
    if (tool !== 'npm' || args[0] !== 'ci') {
      throw new Error(`line ${instruction.line}: cannot emulate RUN ${command}`);
    }
    await npm([...args, '--prefer-offline'], root);
  }
}

/** Runs npm in `cwd` with the test's environment, less what `npm run` adds for its scripts. */
export async function npm(args: readonly string[], cwd: string): Promise<void> {
  // npm_config_local_prefix and its kin would point the inner npm at the repository.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
  await run('npm', args, { cwd, env });
}
