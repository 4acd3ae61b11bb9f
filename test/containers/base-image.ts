import { existsSync, mkdtempSync, realpathSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { externalBases, parseDockerfile, readDockerfile } from '../image/dockerfile.js';
import { CACHE_DIR, podman, run } from './engine.js';

/** Where the Dockerfile's base image came from on this machine. */
export interface BaseImage {
  /** The fully qualified reference, e.g. `docker.io/library/node:24.21.0-bookworm-slim`. */
  readonly reference: string;
  /** The Node.js version of a stand-in (`v20.20.2`); `undefined` for the real image. */
  readonly standInNode: string | undefined;
  /** One sentence saying what was done, for the test's output. */
  readonly summary: string;
}

// Marks a stand-in and records the Node.js it carries, so that a stand-in made from another
// Node.js (the machine was upgraded) is made again.
const STAND_IN_LABEL = 'dev.aviary.stand-in.node';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const ROOTFS = path.join(CACHE_DIR, 'bookworm-minbase.tar');

/** The Dockerfile's one external base, as a reference podman and buildah resolve the same way. */
export function dockerfileBase(): string {
  const bases = [...new Set(externalBases(parseDockerfile(readDockerfile())))];
  if (bases.length !== 1) throw new Error(`expected one base image, found ${bases.join(', ')}`);
  const base = bases[0]!;
  // Docker's short names: `node:…` is `docker.io/library/node:…`.
  const [first] = base.split('/');
  if (base.includes('/') && /[.:]/.test(first!)) return base;
  return `docker.io/${base.includes('/') ? '' : 'library/'}${base}`;
}

/**
 * Makes the Dockerfile's base image available to buildah under its own reference: kept from an
 * earlier run, else pulled, else (the registry unreachable, as on machines that reach only npm
 * and Debian) a stand-in made from a minimal Debian bookworm and this machine's Node.js and npm.
 */
export async function ensureBaseImage(reference = dockerfileBase()): Promise<BaseImage> {
  const kept = await standInNodeOf(reference);
  if (kept === null) {
    const pull = await run('podman', ['pull', '--quiet', reference], {
      check: false,
      timeoutMs: 300_000,
    });
    if (pull.code === 0)
      return { reference, standInNode: undefined, summary: `pulled ${reference}` };
    console.warn(`container test: cannot pull ${reference}: ${pull.stderr.trim()}`);
  } else if (kept === undefined) {
    return { reference, standInNode: undefined, summary: `using ${reference} (pulled earlier)` };
  } else if (kept === process.version) {
    return standIn(reference, 'kept from an earlier run');
  }
  await buildStandIn(reference);
  return standIn(reference, 'built now');
}

/** `null` when there is no such image, `undefined` for a real one, else the stand-in's Node. */
async function standInNodeOf(reference: string): Promise<string | undefined | null> {
  const exists = await run('podman', ['image', 'exists', reference], { check: false });
  if (exists.code !== 0) return null;
  const label = await podman([
    'image',
    'inspect',
    '--format',
    `{{index .Labels "${STAND_IN_LABEL}"}}`,
    reference,
  ]);
  return label === '' || label === '<no value>' ? undefined : label;
}

function standIn(reference: string, how: string): BaseImage {
  return {
    reference,
    standInNode: process.version,
    summary:
      `STAND-IN BASE IMAGE: ${reference} is not the official image but a stand-in (${how}) ` +
      `made from a debootstrap minimal Debian bookworm and this machine's Node.js ` +
      `${process.version} with its npm, trusting the machine's CA bundle for npm. It proves the ` +
      'Dockerfile and the pod spec, not the official base image.',
  };
}

/** The machine's Node.js installation: `<prefix>/bin/node` and `<prefix>/lib/node_modules`. */
function nodePrefix(): string {
  return path.dirname(path.dirname(realpathSync(process.execPath)));
}

/**
 * Builds the stand-in with buildah, laid out as the official image is (node in
 * /usr/local/bin, npm in /usr/local/lib/node_modules), so that the Dockerfile's own `rm` of npm
 * and its kin removes the same files.
 */
async function buildStandIn(reference: string): Promise<void> {
  const rootfs = await debootstrapRoot();
  const prefix = nodePrefix();
  const container = (await run('buildah', ['from', 'scratch'])).stdout.trim();
  try {
    const buildah = (...args: string[]) => run('buildah', args);
    await buildah('add', container, rootfs, '/');
    await buildah('copy', container, path.join(prefix, 'bin', 'node'), '/usr/local/bin/node');
    for (const tool of ['npm', 'corepack']) {
      const folder = path.join(prefix, 'lib', 'node_modules', tool);
      if (existsSync(folder)) {
        await buildah('copy', container, folder, `/usr/local/lib/node_modules/${tool}`);
      }
    }
    // npm reaches the registry through whatever TLS proxy the machine trusts: the stand-in
    // trusts the machine's CA bundle, for npm only (the services' Node.js keeps its own CAs).
    await buildah('copy', container, '/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/certs/');
    await buildah(
      'run',
      '--isolation',
      'chroot',
      container,
      '--',
      'sh',
      '-c',
      'cd /usr/local/bin && ln -s ../lib/node_modules/npm/bin/npm-cli.js npm && ' +
        'ln -s ../lib/node_modules/npm/bin/npx-cli.js npx && mkdir -p /usr/local/etc && ' +
        'echo cafile=/etc/ssl/certs/ca-certificates.crt > /usr/local/etc/npmrc && node --version',
    );
    await buildah(
      'config',
      '--env',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--env',
      `NODE_VERSION=${process.version.slice(1)}`,
      '--label',
      `${STAND_IN_LABEL}=${process.version}`,
      '--cmd',
      'node',
      container,
    );
    await buildah('commit', '--quiet', container, reference);
  } finally {
    await run('buildah', ['rm', container], { check: false });
  }
}

/** A minimal Debian bookworm root as a tar file, made once per machine. */
async function debootstrapRoot(): Promise<string> {
  if (existsSync(ROOTFS)) return ROOTFS;
  const scratch = mkdtempSync(path.join(CACHE_DIR, 'debootstrap-'));
  try {
    const root = path.join(scratch, 'root');
    await run('debootstrap', ['--variant=minbase', 'bookworm', root, DEBIAN_MIRROR]);
    await run('tar', ['-C', root, '-cf', `${ROOTFS}.partial`, '.']);
    renameSync(`${ROOTFS}.partial`, ROOTFS);
    return ROOTFS;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
