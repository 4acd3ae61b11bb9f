import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What the container test keeps between runs on one machine: the debootstrap root of the
 * stand-in base and the engine configuration. Podman's own storage (/var/lib/containers) keeps
 * the images and buildah's layer cache; buildah keeps the Dockerfile's npm cache mount in
 * /var/tmp/buildah-cache.
 */
export const CACHE_DIR = '/var/cache/aviary';

// crun cannot run containers on hosts with hybrid cgroups (v1 controllers beside a v2 mount):
// runc can. The ulimits are given rather than left to the engine's defaults, so that every
// container gets the same ample limits whatever the host's.
const CONTAINERS_CONF = `# Written by test/containers/engine.ts: the engine settings of the container test.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
`;

let confFile: string | undefined;

/** The containers.conf the test points podman and buildah at, written on first use. */
function containersConf(): string {
  if (!confFile) {
    mkdirSync(CACHE_DIR, { recursive: true });
    confFile = path.join(CACHE_DIR, 'containers.conf');
    writeFileSync(confFile, CONTAINERS_CONF);
  }
  return confFile;
}

/** How a command ended, and what it wrote. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Written to the command's standard input. */
  readonly input?: string;
  /**
   * Reject when the command exits with another code than 0.
   * @default true
   */
  readonly check?: boolean;
  /**
   * Kill the command after this long.
   * @default 600_000
   */
  readonly timeoutMs?: number;
}

// Each tool the test runs, and the Debian package that brings it (.ci/run installs them).
const PACKAGES: Readonly<Record<string, string>> = {
  podman: 'podman',
  buildah: 'buildah',
  debootstrap: 'debootstrap',
  tar: 'tar',
};

/**
 * Runs `tool` with `args` and the test's containers.conf. A tool that is not installed fails
 * the test, with how to install it: a skipped container test would pass an untested image.
 */
export function run(
  tool: string,
  args: readonly string[],
  { input, check = true, timeoutMs = 600_000 }: RunOptions = {},
): Promise<CommandResult> {
  const child = spawn(tool, args, {
    env: { ...process.env, CONTAINERS_CONF: containersConf() },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A command that exits without reading its input must not fail the test with EPIPE.
  child.stdin?.on('error', () => {}).end(input);
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${tool} is needed by the container test: apt-get install -y ` +
                `${PACKAGES[tool] ?? tool} (Debian/Ubuntu); .ci/run installs it`,
            )
          : error,
      );
    });
    child.once('close', (code, signal) => {
      const result = { code, stdout, stderr };
      if (!check || code === 0) return resolve(result);
      const ended = signal ? `was killed (${signal})` : `exited with ${code}`;
      reject(
        new Error(`${tool} ${args.join(' ')} ${ended}:\n${lastLines(`${stdout}\n${stderr}`)}`),
      );
    });
  });
}

/** Runs podman; resolves with its trimmed standard output. */
export async function podman(args: readonly string[], options?: RunOptions): Promise<string> {
  return (await run('podman', args, options)).stdout.trim();
}

/** The last lines of a command's output, enough to show why it failed. */
export function lastLines(text: string, count = 40): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
