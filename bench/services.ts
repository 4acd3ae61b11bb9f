import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createMemoryCgroup } from './memory-cgroup.js';
import { podSettingsOf, type PodSettings } from './pod.js';

/** The repository root: the services run from here, as `npm start` runs them. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The services, by the folder of their compiled entry point. */
export type ServiceName = 'bird' | 'bird-image';

/** A server running as a child process of the bench. */
export interface RunningServer {
  /** What the bench calls it in errors. */
  readonly label: string;
  readonly pid: number;
  /** Base URL on 127.0.0.1, without a trailing slash. */
  readonly url: string;
  /** The pod it runs as (see bench/pod.ts); `undefined` for a plain process. */
  readonly pod: PodSettings | undefined;
  /** Whether the pod's memory limit holds: false where the bench could not make a cgroup. */
  readonly memoryLimited: boolean;
  /** Lines written to stdout so far: the bench checks the request log stayed on under load. */
  readonly logLines: () => number;
  /** Peak resident set size so far (`VmHWM`), in bytes; `undefined` where /proc is missing. */
  readonly peakRssBytes: () => Promise<number | undefined>;
  /** CPU time used so far (user + system), in ms; `undefined` where /proc is missing. */
  readonly cpuMs: () => Promise<number | undefined>;
  /** SIGTERM (a service drains and exits 0), SIGKILL if it is still alive 3 s later. */
  readonly stop: () => Promise<void>;
}

// Every child still running, and whether it leads a process group of its own (killed whole).
const children = new Map<ChildProcess, { readonly group: boolean }>();
const START_TIMEOUT_MS = 10_000;
const NEWLINE = 0x0a;

/**
 * Starts `node [nodeArgs] build/apps/<name>/server.js` (compiled: no npm, no tsx) with PORT=0 on
 * 127.0.0.1, LOG_LEVEL=info and only `env` besides PATH and HOME: nothing of the bench's own
 * environment leaks into the service's configuration. It runs as its pod runs it (see
 * bench/pod.ts): under the container's memory limit and with its `NODE_OPTIONS`.
 */
export async function startService(
  name: ServiceName,
  env: Readonly<Record<string, string>>,
  nodeArgs: readonly string[] = [],
): Promise<RunningServer> {
  return startServer(
    name,
    [...nodeArgs, `build/apps/${name}/server.js`],
    // The scenarios ask for thousands of new names: the quota guard (50 searches an hour by
    // default) would answer most of them without a search, which is not what they measure.
    {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      UNSPLASH_SEARCHES_PER_HOUR: '1000000',
      ...env,
    },
    await podSettingsOf(name),
  );
}

/**
 * Starts the bare reference server (bench/bare-server.ts) with `env`, in the same kind of pod as
 * the service it is compared with.
 */
export function startBareServer(
  env: Readonly<Record<string, string>>,
  pod: PodSettings | undefined,
): Promise<RunningServer> {
  return startServer('bare node:http', ['--import', 'tsx', 'bench/bare-server.ts'], env, pod);
}

// The least a Node server can do before it is ready: listen, log its port, answer.
const FLOOR_SERVER = `const s = require('node:http').createServer((q, r) => r.end('{}'));
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port: s.address().port })));`;

/** Starts `node -e` with a bare server that answers `{}` to everything: start-up's floor. */
export function startFloorServer(): Promise<RunningServer> {
  return startServer('floor node:http', ['-e', FLOOR_SERVER], {});
}

/**
 * Runs `node <args>` from the repository root and resolves once it has logged
 * `{"msg":"listening","port":…}`. stdout goes to a pipe that is drained and counted, never
 * printed: a terminal would slow the request log down and measure the terminal. With `pod`, the
 * process runs in a memory cgroup limited as the pod's container is, with its `NODE_OPTIONS`.
 */
async function startServer(
  label: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  pod?: PodSettings,
): Promise<RunningServer> {
  const cgroup = pod && (await createMemoryCgroup(pod.memoryLimitBytes));
  const [command, commandArgs] = cgroup
    ? cgroup.wrap(process.execPath, args)
    : [process.execPath, [...args]];
  const child = spawn(command, commandArgs, {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(pod?.nodeOptions !== undefined && { NODE_OPTIONS: pod.nodeOptions }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = trackChild(child);
  void exited.then(() => cgroup?.remove());

  let lines = 0;
  let stderr = '';
  let resolvePort: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve) => (resolvePort = resolve));
  // Until "listening", lines are read; after it, only counted, in the bytes as they come: the
  // load generator shares this process, and decoding the request log would slow it down.
  let beforeListening: string | undefined = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
      lines += 1;
    }
    if (beforeListening === undefined) return;
    beforeListening += chunk.toString('utf8');
    // Whole lines only: the last piece may be a line still being written.
    const line = beforeListening
      .split('\n')
      .slice(0, -1)
      .find((text) => text.includes('"msg":"listening"'));
    if (line !== undefined) {
      beforeListening = undefined;
      resolvePort(Number((JSON.parse(line) as { port?: unknown }).port));
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const failed = exited.then(() => {
    throw new Error(`${label} exited before listening: ${stderr.trim() || '(no stderr)'}`);
  });
  const timeout = sleep(START_TIMEOUT_MS, undefined, { ref: false }).then(() => {
    throw new Error(`${label} did not log "listening" within ${START_TIMEOUT_MS} ms`);
  });
  const listening = await Promise.race([port, failed, timeout]).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  failed.catch(() => undefined);
  timeout.catch(() => undefined);

  const pid = child.pid!;
  return {
    label,
    pid,
    url: `http://127.0.0.1:${listening}`,
    pod,
    memoryLimited: cgroup !== undefined,
    logLines: () => lines,
    peakRssBytes: () => peakRssOf(pid),
    cpuMs: () => cpuTimeOf(pid),
    stop: () => stopChild(child),
  };
}

/**
 * Start to ready of one run: from `spawn` to the first 200 of `/readyz`, polled every
 * millisecond from the moment the port is known. The server is stopped afterwards.
 */
export async function measureStartToReady(start: () => Promise<RunningServer>): Promise<number> {
  const started = performance.now();
  const server = await start();
  try {
    while ((await statusOf(`${server.url}/readyz`)) !== 200) await sleep(1);
    return performance.now() - started;
  } finally {
    await server.stop();
  }
}

/**
 * Remembers `child` until it exits, so that {@link stopAllChildren} can stop it; `group` when it
 * was spawned `detached` and its whole process group must go (npm and the processes it starts).
 */
export function trackChild(child: ChildProcess, group = false): Promise<unknown> {
  children.set(child, { group });
  const exited = once(child, 'exit');
  void exited.then(() => children.delete(child));
  return exited;
}

/** Stops every child process the bench started that is still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children.keys()].map(stopChild));
}

/** CPU time used so far by the children still running, in ms (0 for those /proc cannot show). */
export async function liveChildrenCpuMs(): Promise<number> {
  const pids = [...children.keys()].flatMap((child) =>
    child.pid === undefined ? [] : [child.pid],
  );
  const times = await Promise.all(pids.map(cpuTimeOf));
  return times.reduce((sum: number, ms) => sum + (ms ?? 0), 0);
}

/** Last resort on exit: SIGKILL whatever is left, synchronously. */
export function killAllChildrenNow(): void {
  for (const child of children.keys()) signal(child, 'SIGKILL');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  signal(child, 'SIGTERM');
  const timer = setTimeout(() => signal(child, 'SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (children.get(child)?.group) process.kill(-pid, name);
    else child.kill(name);
  } catch {
    // Already gone.
  }
}

async function peakRssOf(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kilobytes = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
  } catch {
    return undefined;
  }
}

// Clock ticks per second of /proc/<pid>/stat; 100 on every Linux the bench is meant for.
const CLOCK_TICKS_PER_SECOND = 100;

async function cpuTimeOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** The status code of a GET (connection refused counts as 0), its body read and dropped. */
export function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', () => resolve(0));
  });
}

/** The body of a GET, which must answer 200. */
export function fetchBody(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks));
        else reject(new Error(`GET ${url} answered ${res.statusCode}`));
      });
    }).on('error', reject);
  });
}
