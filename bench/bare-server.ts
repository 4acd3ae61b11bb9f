/**
 * The bare reference server: plain `node:http`, no framework, no logs, no metrics. Run as a
 * child process of the bench (`node --import tsx bench/bare-server.ts`), like the services, so
 * that it gets a core of its own exactly as they do; configured by the environment:
 *
 * - `BARE_BODY_BASE64`: answers these bytes as JSON to every request (the cached scenarios,
 *   where the bytes are one real answer of the service);
 * - `BARE_PROXY_URL`: for `GET /?birdName=X`, makes the one upstream call birdImage makes (a
 *   keep-alive GET to the stand-in Unsplash at that URL) and answers the thumbnail as a JSON
 *   string, as birdImage does, without cache, validation, retries, breaker, logs or metrics.
 *
 * It logs `{"msg":"listening","port":…}` once listening, as the services do.
 */
import { Agent, get, type RequestListener } from 'node:http';
import { startLocalServer } from './upstreams.js';

function answerWith(body: Buffer): RequestListener {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  };
}

function proxyTo(unsplashUrl: string): RequestListener {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return (req, res) => {
    const name = new URL(req.url ?? '/', 'http://bare').searchParams.get('birdName') ?? '';
    const search = new URLSearchParams({ query: name, per_page: '1' });
    get(`${unsplashUrl}/search/photos?${search.toString()}`, { agent }, (upstream) => {
      const chunks: Buffer[] = [];
      upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
      upstream.on('end', () => {
        const found = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          results: { urls: { thumb: string } }[];
        };
        const body = JSON.stringify(found.results[0]?.urls.thumb ?? null);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    }).on('error', () => res.writeHead(502).end());
  };
}

const { BARE_BODY_BASE64: body, BARE_PROXY_URL: proxyUrl } = process.env;
if ((body === undefined) === (proxyUrl === undefined)) {
  process.stderr.write('bare-server: set exactly one of BARE_BODY_BASE64 and BARE_PROXY_URL\n');
  process.exit(1);
}
const server = await startLocalServer(
  body === undefined ? proxyTo(proxyUrl!) : answerWith(Buffer.from(body, 'base64')),
);
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: new URL(server.url).port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
