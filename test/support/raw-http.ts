import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What came back on a raw connection, and how it ended. */
export interface RawExchange {
  /** Everything the server wrote, as text. */
  readonly text: string;
  /** The status of the first status line, if there was one. */
  readonly status: number | undefined;
  /** The body after the first blank line, when the answer had one. */
  readonly body: string;
  /** Whether the server closed the connection (rather than the wait running out). */
  readonly closedByServer: boolean;
  /** Milliseconds from connecting to the end. */
  readonly elapsedMs: number;
}

/**
 * Opens a TCP connection to `url`'s host and port, writes `chunks` (each after the previous one,
 * `gapMs` apart) exactly as given, and reads until the server closes or `waitMs` pass: for
 * what an HTTP client library refuses to send.
 */
export function rawExchange(
  url: string,
  chunks: readonly string[],
  { waitMs = 3_000, gapMs = 0 } = {},
): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const bodyAt = text.indexOf('\r\n\r\n');
      resolve({
        text,
        status: match ? Number(match[1]) : undefined,
        body: bodyAt === -1 ? '' : text.slice(bodyAt + 4),
        closedByServer,
        elapsedMs: performance.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (text += data));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      chunks.forEach((chunk, index) => {
        setTimeout(() => {
          if (!socket.destroyed) socket.write(chunk);
        }, index * gapMs);
      });
    });
  });
}
