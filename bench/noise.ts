import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { liveChildrenCpuMs } from './services.js';

// Clock ticks per second of /proc; 100 on every Linux the bench is meant for.
const TICKS_PER_SECOND = 100;

async function busyMs(): Promise<number> {
  // cpu  user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
  const [, ...fields] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const busy = ticks.reduce((sum, value, index) =>
    index === 3 || index === 4 ? sum : sum + value,
  );
  return (busy * 1000) / TICKS_PER_SECOND;
}

async function ownMs(): Promise<number> {
  // utime, stime, cutime, cstime of the bench: itself plus every child it has waited for.
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return (ticks * 1000) / TICKS_PER_SECOND + (await liveChildrenCpuMs());
}

/**
 * Measures how busy the machine was with work that is not the bench's: CPU time of every
 * process minus that of the bench and its children. Resolves `stop()` with the average number
 * of cores that other work used, or `undefined` where /proc is missing.
 */
export async function startNoiseMeter(): Promise<{ stop: () => Promise<number | undefined> }> {
  const read = async () => {
    try {
      return { busy: await busyMs(), own: await ownMs(), at: performance.now() };
    } catch {
      return undefined;
    }
  };
  const before = await read();
  return {
    stop: async () => {
      const after = await read();
      if (before === undefined || after === undefined) return undefined;
      const other = after.busy - before.busy - (after.own - before.own);
      return Math.max(other, 0) / (after.at - before.at);
    },
  };
}
