import type { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import type { LogFormat } from './config.js';

/**
 * Where log lines go for `format`: JSON lines straight to `stdout` (production, and any output
 * that is not a terminal under `auto`), or a pino-pretty stream that writes one readable line
 * per event to it, coloured on a terminal. Without `stdout`, standard output: JSON lines then
 * get `undefined`, `createLogger`'s own asynchronous writer. pino-pretty is a development
 * dependency, loaded only here: where it is not installed (the images), the lines stay JSON.
 */
export async function logDestination(
  format: LogFormat,
  isTerminal = process.stdout.isTTY === true,
  stdout?: Writable,
): Promise<DestinationStream | undefined> {
  if (format === 'json' || (format === 'auto' && !isTerminal)) return stdout;
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({
      colorize: isTerminal,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      // A request reads as "GET / → 200 in 3 ms"; the service is in the prefix `npm start` adds.
      messageFormat: '{msg}{if method}: {method} {path} → {status} in {durationMs} ms{end}',
      ignore: 'pid,hostname,service,method,route,path,status,durationMs',
      destination: stdout ?? 1,
    });
  } catch {
    return stdout;
  }
}
