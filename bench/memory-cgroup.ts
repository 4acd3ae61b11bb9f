import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A memory cgroup of the bench's own, which a child process joins before it starts. */
export interface MemoryCgroup {
  /** The command and arguments that run `command args…` inside the cgroup. */
  readonly wrap: (command: string, args: readonly string[]) => [string, string[]];
  /** Removes the cgroup, once the processes in it have exited. */
  readonly remove: () => Promise<void>;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
let created = 0;

/**
 * A fresh memory cgroup limited to `limitBytes`, under the bench's own cgroup, as the kubelet
 * makes one per container: Node sizes its heap from that limit, so a service run outside one
 * sizes it from the whole machine and uses memory as no pod does. `undefined` where the bench may
 * not make one (not root, no memory controller): the caller runs the process without it.
 */
export async function createMemoryCgroup(limitBytes: number): Promise<MemoryCgroup | undefined> {
  const own = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  // cgroup v1: "4:memory:/some/path"; v2: "0::/some/path".
  const v1 = /^\d+:(?:[\w,]*,)?memory(?:,[\w,]*)?:(.*)$/m.exec(own)?.[1];
  const v2 = /^0::(.*)$/m.exec(own)?.[1];
  const place =
    v1 !== undefined
      ? { parent: path.join(CGROUP_ROOT, 'memory', v1), limitFile: 'memory.limit_in_bytes' }
      : v2 !== undefined
        ? { parent: path.join(CGROUP_ROOT, v2), limitFile: 'memory.max' }
        : undefined;
  if (place === undefined) return undefined;
  const dir = path.join(place.parent, `aviary-bench-${process.pid}-${created++}`);
  try {
    await mkdir(dir);
    await writeFile(path.join(dir, place.limitFile), String(limitBytes));
  } catch {
    // Not allowed here: leave nothing behind (rmdir fails harmlessly if mkdir did).
    await rmdir(dir).catch(() => undefined);
    return undefined;
  }
  return {
    // The shell moves itself into the cgroup, then becomes the command: the child's pid stays
    // the process's own, and nothing runs outside the limit.
    wrap: (command, args) => [
      '/bin/sh',
      ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, command, ...args],
    ],
    remove: () => rmdir(dir).catch(() => undefined),
  };
}
