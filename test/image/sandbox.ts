import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '../support/process.js';

/**
 * What a container runtime would give the image, as bubblewrap can: the image's files read-only
 * at its WORKDIR, the host's system folders read-only in place of the base image's, a fresh
 * tmpfs on /tmp (the manifests' emptyDir), and a numeric user. The read-only root is what
 * `readOnlyRootFilesystem` enforces.
 */
export interface Sandbox {
  /** Host folder holding what the image has at `workdir`. */
  readonly root: string;
  /** The image's WORKDIR, e.g. `/app`. */
  readonly workdir: string;
  /** The image's USER, `uid:gid`. */
  readonly user: string;
  /** The whole environment of the process (the image's ENV and the test's). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * `host` shares the host's network; `isolated` gives the sandbox a network of its own, with
   * only a loopback, so a service may take its default port whatever the host runs.
   * @default 'host'
   */
  readonly network?: 'host' | 'isolated';
}

/** A sandboxed process and what it printed. */
export interface SandboxedProcess {
  readonly child: ChildProcess;
  /** Settles when the process has exited, its output read to the end. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The first JSON log line whose `msg` is `msg`; rejects if the process exits first. */
  readonly waitForLog: (msg: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
  /** Sends `signal` to the command itself (bubblewrap does not forward signals). */
  readonly signal: (signal: NodeJS.Signals) => Promise<void>;
  /** Kills the sandbox if it is still running, and waits for it to go. */
  readonly kill: () => Promise<void>;
}

// Folders of the host that stand in for the base image's operating system.
const SYSTEM_FOLDERS = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** The path of `bwrap`; throws, with how to install it, when there is none. */
export function bubblewrap(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).trim();
  } catch {
    // A missing tool fails the run rather than skipping it: a skipped contract test is a green
    // light on an untested image.
    throw new Error(
      'bubblewrap (bwrap) is needed by the image runtime test: ' +
        'sudo apt-get install -y bubblewrap (Debian/Ubuntu) or dnf install bubblewrap',
    );
  }
}

/** The `bwrap` arguments that run `command` in `sandbox`. */
export function sandboxArgs(sandbox: Sandbox, command: readonly string[]): string[] {
  const [uid, gid] = sandbox.user.split(':');
  if (!/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) {
    throw new Error(`the sandbox needs a numeric uid:gid, got USER ${sandbox.user}`);
  }
  const system = SYSTEM_FOLDERS.filter((folder) => existsSync(folder)).flatMap((folder) =>
    // Merged-/usr systems have /bin, /lib… as links into /usr: keep them links.
    lstatSync(folder).isSymbolicLink()
      ? ['--symlink', readlinkSync(folder), folder]
      : ['--ro-bind', folder, folder],
  );
  return [
    ...system,
    ...nodeInstallation(),
    ['--ro-bind', sandbox.root, sandbox.workdir],
    ['--tmpfs', '/tmp', '--dev', '/dev', '--proc', '/proc'],
    // bwrap builds the root on a tmpfs of its own: make it read-only like the rest.
    ['--remount-ro', '/'],
    ['--unshare-user', '--uid', uid!, '--gid', gid!, '--unshare-ipc', '--unshare-uts'],
    sandbox.network === 'isolated' ? ['--unshare-net'] : [],
    ['--die-with-parent', '--chdir', sandbox.workdir, '--info-fd', '3'],
    ['--', ...command],
  ].flat();
}

/** The folder of the Node.js that runs the tests, when it is not under a system folder. */
function nodeInstallation(): string[] {
  const prefix = path.dirname(path.dirname(realpathSync(process.execPath)));
  const inSystem = SYSTEM_FOLDERS.some((folder) => `${prefix}/`.startsWith(`${folder}/`));
  return inSystem ? [] : ['--ro-bind', prefix, prefix];
}

/** The PATH inside the sandbox: the test's own `node` first, then the usual folders. */
export function sandboxPath(): string {
  return [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}

const running = new Set<SandboxedProcess>();

/** Starts `command` in `sandbox`; {@link killAllSandboxes} stops whatever is left. */
export function startSandboxed(sandbox: Sandbox, command: readonly string[]): SandboxedProcess {
  const child = spawn(bubblewrap(), sandboxArgs(sandbox, command), {
    env: { ...sandbox.env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let info = '';
  let closed = false;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (c) => (info += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      closed = true;
      resolve({ code, signal });
    }),
  );
  const sandboxed: SandboxedProcess = {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForLog: async (msg, timeoutMs = 10_000) => {
      let found: Record<string, unknown> | undefined;
      await waitUntil(`"${msg}" from ${command.join(' ')}`, timeoutMs, () => {
        found = jsonLines(stdout).find((line) => line.msg === msg);
        if (!found && closed) {
          throw new Error(`${command.join(' ')} exited without "${msg}"; stderr: ${stderr}`);
        }
        return found !== undefined;
      });
      return found!;
    },
    signal: async (signal) => {
      // bwrap writes {"child-pid": N} once the command runs; N is the command's host pid.
      let pid: number | undefined;
      await waitUntil('the sandboxed pid', 5_000, () => {
        pid = (jsonLines(info.replace(/\s+/g, ''))[0]?.['child-pid'] as number) ?? undefined;
        return pid !== undefined;
      });
      process.kill(pid!, signal);
    },
    kill: async () => {
      if (!closed) child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(sandboxed);
  void exited.then(() => running.delete(sandboxed));
  return sandboxed;
}

/** Runs `command` in `sandbox` to its end (at most `timeoutMs`), with what it printed. */
export async function runSandboxed(
  sandbox: Sandbox,
  command: readonly string[],
  timeoutMs = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const sandboxed = startSandboxed(sandbox, command);
  const timeout = sleep(timeoutMs, 'timeout' as const, { ref: false });
  if ((await Promise.race([sandboxed.exited, timeout])) === 'timeout') {
    await sandboxed.kill();
    throw new Error(`${command.join(' ')} still running after ${timeoutMs} ms`);
  }
  const { code } = await sandboxed.exited;
  return { code, stdout: sandboxed.stdout(), stderr: sandboxed.stderr() };
}

/** Kills every sandbox started here that is still running. */
export async function killAllSandboxes(): Promise<void> {
  await Promise.all([...running].map((sandboxed) => sandboxed.kill()));
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
