import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../apps/shared/logger.js';

/** A logger whose JSON lines a test can read. */
export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: () => Record<string, unknown>[];
  /** Everything written so far, as text. */
  readonly text: () => string;
}

/** A real pino logger writing to memory. */
export function captureLogs(level: 'info' | 'debug' = 'info'): CapturedLogger {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(level, { destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Scrapes `/metrics` of the app at `baseUrl` and reads one sample, or 0. */
export async function scrapeSample(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return sampleValue(await (await fetch(`${baseUrl}/metrics`)).text(), name, labels);
}

/** The value of a counter or gauge sample in a Prometheus text exposition, or 0. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((pair) => labelText.includes(pair))) return Number(line.split(' ').pop());
  }
  return 0;
}

/** Scrapes the app at `baseUrl` for its count of calls to `upstream` that ended in `outcome`. */
export function upstreamCalls(baseUrl: string, upstream: string, outcome: string): Promise<number> {
  return scrapeSample(baseUrl, 'upstream_requests_total', { upstream, outcome });
}
