/**
 * One server of the bench in a process of its own, so that its CPU time is its own and not the
 * load generator's: `bird` or `bird-image`, built from its definition by the shared service
 * helper; `bare`, a plain `node:http` server answering the same bytes to every request; or
 * `floor`, the same answer through Koa and @koa/router in a process that has loaded got.
 * Started by bench/processes.ts over an IPC channel: it sends `{ url }` once listening, answers
 * each message with its {@link Usage} (a bare or floor server first takes the message's `body`
 * as its answer from then on), and exits when the bench goes away.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a server process has used so far. */
export interface Usage {
  /** User and system CPU time, in microseconds (`process.cpuUsage()`). */
  readonly cpuUs: number;
  /** Peak resident set size since the process started, in bytes (`process.resourceUsage().maxRSS`). */
  readonly maxRssBytes: number;
  /** Resident set size now, in bytes (`process.memoryUsage.rss()`). */
  readonly rssBytes: number;
}

// Production runs compiled code without source maps; tsx (the tests' way to run this file)
// turns them on, which makes every stack trace dearer than in a pod.
process.setSourceMapsEnabled(false);

let body = '{}';

async function start(role: string | undefined): Promise<string> {
  if (role === 'bird' || role === 'bird-image') {
    // Imported on demand: a process loads only the modules of what it runs, as its pod does.
    const { createLogger } = await import('../apps/shared/logger.js');
    const { startService } = await import('../apps/shared/service.js');
    // The services log every request at `info`, as in production; stdout is /dev/null here.
    const options = { env: process.env, logger: createLogger('info', { service: role }) };
    if (role === 'bird') {
      return (await startService((await import('../apps/bird/service.js')).birdService, options))
        .url;
    }
    const { birdImageService } = await import('../apps/bird-image/service.js');
    return (await startService(birdImageService, options)).url;
  }
  if (role !== 'bare' && role !== 'floor') throw new Error(`bench/child.ts: unknown role ${role}`);
  process.on('message', (message: { body?: string }) => (body = message.body ?? body));
  const server = createServer(role === 'bare' ? answerBare : await floorHandler());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function answerBare(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
}

/**
 * The stack's floor: a Koa app with one @koa/router route answering `body` as JSON, in a process
 * that has also loaded got, as each service loads it to call its upstream. What the design card
 * fixes (koa, @koa/router, got), with nothing of Aviary's: no logging, metrics, request ids,
 * limits or caches.
 */
async function floorHandler(): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const [{ default: Koa }, { default: Router }] = await Promise.all([
    import('koa'),
    import('@koa/router'),
    import('got'),
  ]);
  const app = new Koa();
  const router = new Router();
  router.get('/', (ctx) => {
    ctx.type = 'json';
    ctx.body = body;
  });
  app.use(router.routes());
  const handle = app.callback();
  return (req, res) => void handle(req, res);
}

process.send!({ url: await start(process.argv[2]) });
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  process.send!({
    cpuUs: user + system,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBytes: process.memoryUsage.rss(),
  } satisfies Usage);
});
process.on('disconnect', () => process.exit(0));
