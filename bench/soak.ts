/**
 * `npm run bench:soak`: a fixed-rate soak of bird in front of birdImage, both compiled and run
 * as their pods run them (bench/pod.ts), birdImage in front of the stand-in Unsplash. It sends
 * `SOAK_RATE` requests a second (default 1,000) to bird's `GET /` for `SOAK_DURATION_S` seconds
 * (default 600), on 127.0.0.1 only, then stops everything it started. Every `SOAK_SEGMENT_S`
 * seconds (default 60) it prints one table row: latency, failures (non-2xx, shed answers
 * included, errors, timeouts), each service's resident and V8 heap memory, and the CPU other
 * work on the machine used. Memory that drifts shows as a column that keeps growing.
 */
import { loadavg } from 'node:os';
import { readFile } from 'node:fs/promises';
import { runPaced, summarize } from './load.js';
import { startNoiseMeter } from './noise.js';
import { fetchBody, killAllChildrenNow, startService, stopAllChildren } from './services.js';
import type { RunningServer } from './services.js';
import { startStandInUnsplash } from './upstreams.js';

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name}=${raw} must be a whole number ≥ 1`);
  return value;
}

const RATE = seconds('SOAK_RATE', 1000);
const DURATION_S = seconds('SOAK_DURATION_S', 600);
const SEGMENT_S = Math.min(seconds('SOAK_SEGMENT_S', 60), DURATION_S);
const MB = 1024 * 1024;

async function residentMb(server: RunningServer): Promise<number> {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) / 1024;
}

async function heapUsedMb(server: RunningServer): Promise<number> {
  const exposition = (await fetchBody(`${server.url}/metrics`)).toString('utf8');
  const line = exposition
    .split('\n')
    .find((text) => text.startsWith('nodejs_heap_size_used_bytes '));
  return Number(line?.split(' ')[1]) / MB;
}

async function main(): Promise<void> {
  const unsplash = await startStandInUnsplash(50);
  try {
    const birdImage = await startService('bird-image', {
      UNSPLASH_ACCESS_KEY: 'soak-key',
      UNSPLASH_API_URL: unsplash.url,
    });
    const bird = await startService('bird', { BIRD_IMAGE_URL: birdImage.url });
    console.log(
      `soak: ${RATE} req/s to bird GET / for ${DURATION_S} s; bird memory-limited: ${bird.memoryLimited}, ` +
        `birdImage: ${birdImage.memoryLimited}; load average at start ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    console.log(
      '| minute | requests | failures | p50 ms | p99 ms | max ms | bird RSS / heap MB | birdImage RSS / heap MB | other work, cores |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    // Warm-up, not counted: caches filled, code optimized, as in a pod that has been serving.
    await runPaced({ url: bird.url, connections: 64, rate: RATE, durationS: 10, timeoutS: 5 });
    let totalRequests = 0;
    let totalFailures = 0;
    for (let elapsed = 0; elapsed < DURATION_S; elapsed += SEGMENT_S) {
      const noise = await startNoiseMeter();
      const summary = summarize(
        await runPaced({
          url: bird.url,
          connections: 64,
          rate: RATE,
          durationS: SEGMENT_S,
          timeoutS: 5,
        }),
      );
      const other = await noise.stop();
      totalRequests += summary.requests + summary.failures;
      totalFailures += summary.failures;
      const memory = async (server: RunningServer) =>
        `${(await residentMb(server)).toFixed(1)} / ${(await heapUsedMb(server)).toFixed(1)}`;
      console.log(
        `| ${((elapsed + SEGMENT_S) / 60).toFixed(1)} | ${summary.requests + summary.failures} | ${summary.failures} | ` +
          `${summary.p50Ms.toFixed(2)} | ${summary.p99Ms.toFixed(2)} | ${summary.maxMs.toFixed(1)} | ` +
          `${await memory(bird)} | ${await memory(birdImage)} | ${other === undefined ? 'n/a' : other.toFixed(2)} |`,
      );
    }
    console.log(
      `soak: ${totalRequests} requests, ${totalFailures} failures; load average at end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    // Which failures were the services shedding load (a 503 on purpose) rather than breaking.
    for (const [name, server] of [
      ['bird', bird],
      ['birdImage', birdImage],
    ] as const) {
      const exposition = (await fetchBody(`${server.url}/metrics`)).toString('utf8');
      const shed = exposition
        .split('\n')
        .filter((line) => line.startsWith('http_requests_shed_total{'))
        .join(', ');
      console.log(`soak: ${name} shed ${shed || 'nothing'}`);
    }
  } finally {
    await stopAllChildren();
    await unsplash.close();
  }
}

process.on('SIGINT', () => {
  killAllChildrenNow();
  process.exit(130);
});
await main();
