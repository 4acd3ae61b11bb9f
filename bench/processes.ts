import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { OPERATIONAL_PATHS } from '../apps/shared/operational-contract.js';
import type { Usage } from './child.js';

/** What a server process runs (see bench/child.ts). */
export type Role = 'bird' | 'bird-image' | 'bare' | 'floor';

/**
 * How a server process starts: `compiled` runs build/bench/child.js, built by `npm run build` as
 * the services are for their image; otherwise bench/child.ts through tsx (the tests: no build).
 */
export type Launch = {
  readonly compiled: boolean;
  readonly runtimeEnv: Readonly<Record<string, string>>;
};

/** A server running in a child process of the bench. */
export interface ServerProcess {
  readonly role: Role;
  /** Base URL on 127.0.0.1, without a trailing slash. */
  readonly url: string;
  /** What it has used so far; a bare or floor server first takes `body` as its answer from then on. */
  usage(body?: string): Promise<Usage>;
  stop(): Promise<void>;
}

const CHILD = {
  compiled: fileURLToPath(new URL('../build/bench/child.js', import.meta.url)),
  tsx: fileURLToPath(new URL('child.ts', import.meta.url)),
};

/**
 * Starts `role` configured by `env` alone (and PATH), on 127.0.0.1 at a free port. Its stdout,
 * the request log, goes to /dev/null; the child exits by itself if the bench dies.
 */
export async function startServer(
  role: Role,
  env: Readonly<Record<string, string>>,
  launch: Launch,
): Promise<ServerProcess> {
  const child = fork(launch.compiled ? CHILD.compiled : CHILD.tsx, [role], {
    execArgv: launch.compiled ? [] : ['--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', ...launch.runtimeEnv, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    void exited.then(() => reject(new Error(`${role} exited before listening: ${stderr.trim()}`)));
  });
  return {
    role,
    url,
    usage: async (body) => {
      const answer = once(child, 'message');
      child.send({ body });
      return (await answer)[0] as Usage;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

/** Start to ready of one process: from fork to the first 200 of `/readyz`, and its CPU time by then. */
export async function startToReady(
  role: Role,
  env: Readonly<Record<string, string>>,
  launch: Launch,
): Promise<{ wallMs: number; cpuMs: number }> {
  const started = performance.now();
  const server = await startServer(role, env, launch);
  try {
    const ready = () =>
      fetch(`${server.url}${OPERATIONAL_PATHS.readiness}`).then(
        async (response) => {
          await response.arrayBuffer();
          return response.ok;
        },
        () => false,
      );
    while (!(await ready())) await sleep(1);
    const wallMs = performance.now() - started;
    return { wallMs, cpuMs: (await server.usage()).cpuUs / 1000 };
  } finally {
    await server.stop();
  }
}
