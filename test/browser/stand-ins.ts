import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The host Unsplash serves photos from. birdImage passes on only `https` photo URLs on Unsplash's
 * image hosts (`UNSPLASH_IMAGE_HOSTS`), so the stand-in answers under this name: Chromium is told
 * to resolve it to the stand-in (see {@link ImageHost.resolverRule}) and to accept its
 * self-signed certificate, and nothing else about the photo's path changes.
 */
export const IMAGE_HOST_NAME = 'images.unsplash.com';

/**
 * A stand-in for Unsplash's image host, over HTTPS on 127.0.0.1: `/photo.svg` is a photo, every
 * other path a 404.
 */
export interface ImageHost {
  /** `https://images.unsplash.com`, as birdImage and the page see it. */
  readonly url: string;
  /** Chromium's `--host-resolver-rules` entry that sends {@link url} to the stand-in. */
  readonly resolverRule: string;
  readonly photoUrl: string;
  /** A URL on the host that answers 404, as a dead image link does. */
  readonly missingUrl: string;
  /** Paths requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

// A "photo": sky, sea, a cliff and a bird, so a screenshot shows what a real one would.
const PHOTO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600" width="800" height="600">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8ec5e8"/><stop offset="1" stop-color="#e6f1f7"/></linearGradient></defs>
<rect width="800" height="600" fill="url(#sky)"/>
<rect y="380" width="800" height="220" fill="#3f7ea6"/>
<path d="M0 600 L0 420 Q180 360 360 430 L520 470 Q650 500 800 470 L800 600 Z" fill="#5b6b3a"/>
<ellipse cx="420" cy="360" rx="70" ry="95" fill="#1f2326"/>
<ellipse cx="432" cy="380" rx="48" ry="72" fill="#f4f1ea"/>
<circle cx="420" cy="255" r="48" fill="#1f2326"/>
<ellipse cx="432" cy="258" rx="26" ry="22" fill="#f4f1ea"/>
<path d="M458 248 Q520 262 462 292 Z" fill="#e0662b"/>
<circle cx="438" cy="250" r="5" fill="#1f2326"/>
</svg>
`;

/** Starts the image host on 127.0.0.1, port 0, with a fresh self-signed certificate. */
export async function startImageHost(): Promise<ImageHost> {
  const requests: string[] = [];
  const server = createServer(selfSignedCertificate(IMAGE_HOST_NAME), (req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/photo.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(PHOTO_SVG);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `https://${IMAGE_HOST_NAME}`;
  return {
    url,
    resolverRule: `MAP ${IMAGE_HOST_NAME} 127.0.0.1:${port}`,
    photoUrl: `${url}/photo.svg`,
    missingUrl: `${url}/gone.jpg`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

// openssl (Debian's openssl package) makes the key and certificate; they live only in memory.
function selfSignedCertificate(hostName: string): { key: Buffer; cert: Buffer } {
  const folder = mkdtempSync(join(tmpdir(), 'aviary-image-host-'));
  try {
    const [key, cert] = [join(folder, 'key.pem'), join(folder, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${hostName}`,
        '-addext',
        `subjectAltName=DNS:${hostName}`,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A remote fact written to break out of a page: markup, script, a `javascript:` link. */
export const HOSTILE_FACT = {
  name: '<img src=/x onerror=alert(1)><b>Evil</b> "Bird" & co',
  description:
    '<script>globalThis.pwned = 1</script> Try javascript:alert(2) or <a href="javascript:alert(3)">click me</a> </p><style>body{display:none}</style>',
} as const;
