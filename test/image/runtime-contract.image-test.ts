import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile, readDockerfile, REPO_ROOT, resolveTarget } from './dockerfile.js';
import { ImageBuilder, npm } from './image-root.js';
import {
  bubblewrap,
  killAllSandboxes,
  runSandboxed,
  sandboxPath,
  startSandboxed,
  type Sandbox,
} from './sandbox.js';

// The runtime contract of spec §3 without Docker: what each image holds (built by following the
// Dockerfile, production dependencies pruned by its own `npm ci --omit=dev`) runs its CMD as its
// USER, from its WORKDIR, with its ENV, on a read-only root where only /tmp is writable.

const stages = parseDockerfile(readDockerfile());
const TARGETS = ['bird-image', 'bird'] as const;
type Target = (typeof TARGETS)[number];
// Distinct defaults show which service chose the image bird answers with.
const BIRD_IMAGE_DEFAULT = 'https://images.example/from-bird-image.png';
const BIRD_DEFAULT = 'https://images.example/from-bird.png';

let scratch: string;
const roots = new Map<Target, string>();

/** The sandbox a container of `target` would be: its image (at `root`), its ENV, plus `env`. */
function sandboxOf(
  target: Target,
  { env = {}, root = roots.get(target)!, network = 'host' }: SandboxOptions = {},
): Sandbox {
  const image = resolveTarget(stages, target);
  // On the host's network, 127.0.0.1 and a free port; in a network of its own, the defaults.
  const listen: Record<string, string> = network === 'host' ? { HOST: '127.0.0.1', PORT: '0' } : {};
  return {
    root,
    workdir: image.workdir,
    user: image.user ?? '0:0',
    network,
    // PATH and HOME come from the base image and the runtime (HOME=/ for a uid without a name).
    env: { PATH: sandboxPath(), HOME: '/', ...image.env, ...listen, ...env },
  };
}

interface SandboxOptions {
  readonly env?: Record<string, string>;
  readonly root?: string;
  readonly network?: Sandbox['network'];
}

const commandOf = (target: Target) => resolveTarget(stages, target).cmd!;

beforeAll(async () => {
  // Fails the whole file, never skips it, when bwrap is missing.
  bubblewrap();
  scratch = await mkdtemp(path.join(tmpdir(), 'aviary-image-'));
  const builder = new ImageBuilder(stages, {
    context: REPO_ROOT,
    buildOutput: REPO_ROOT,
    scratch: path.join(scratch, 'images'),
  });
  for (const target of TARGETS) roots.set(target, await builder.build(target));
});

afterAll(async () => {
  await killAllSandboxes();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the sandbox', () => {
  it('runs as the image USER in its WORKDIR, and refuses writes outside /tmp', async () => {
    const sandbox = sandboxOf('bird');
    const probe = `
      const fs = require('node:fs');
      const tryWrite = (file) => { try { fs.writeFileSync(file, ''); return 'written'; } catch (e) { return e.code; } };
      console.log(JSON.stringify({
        uid: process.getuid(), gid: process.getgid(), cwd: process.cwd(),
        writes: Object.fromEntries(${JSON.stringify(['x', '/x', '/tmp/x'])}.map((f) => [f, tryWrite(f)])),
      }));`;
    const { code, stdout, stderr } = await runSandboxed(sandbox, ['node', '-e', probe]);

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const [uid, gid] = sandbox.user.split(':').map(Number);
    expect(JSON.parse(stdout)).toEqual({
      uid,
      gid,
      cwd: sandbox.workdir,
      writes: { x: 'EROFS', '/x': 'EROFS', '/tmp/x': 'written' },
    });
  });

  it('holds no development dependency', () => {
    for (const target of TARGETS) {
      const modules = path.join(roots.get(target)!, 'node_modules');
      expect(existsSync(path.join(modules, 'koa'))).toBe(true);
      for (const dev of ['typescript', 'vitest', 'cdk8s']) {
        expect(existsSync(path.join(modules, dev)), `${dev} in ${target}`).toBe(false);
      }
    }
  });
});

describe('the images', () => {
  it.for(TARGETS)('%s listens on the port it EXPOSEs when PORT is unset', async (target) => {
    const { cmd, exposedPorts } = resolveTarget(stages, target);
    // In a network of its own the service takes its default port; a probe beside it calls it.
    const probe = `
      const service = require('node:child_process').spawn(
        ${JSON.stringify(cmd![0])}, ${JSON.stringify(cmd!.slice(1))}, { stdio: 'ignore' });
      (async () => {
        for (let attempt = 0; attempt < 200; attempt++) {
          try {
            const response = await fetch('http://127.0.0.1:${exposedPorts[0]}/healthz');
            console.log(response.status);
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        service.kill();
      })();`;
    const sandbox = sandboxOf(target, { network: 'isolated' });
    const { code, stdout } = await runSandboxed(sandbox, ['node', '-e', probe], 20_000);

    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: '200' });
  });

  it('serve bird end to end through birdImage, then stop cleanly on SIGTERM', async () => {
    const birdImage = startSandboxed(
      sandboxOf('bird-image', { env: { DEFAULT_IMAGE_URL: BIRD_IMAGE_DEFAULT } }),
      commandOf('bird-image'),
    );
    const imagePort = Number((await birdImage.waitForLog('listening')).port);
    const bird = startSandboxed(
      sandboxOf('bird', {
        env: { BIRD_IMAGE_URL: `http://127.0.0.1:${imagePort}`, DEFAULT_IMAGE_URL: BIRD_DEFAULT },
      }),
      commandOf('bird'),
    );
    const birdPort = Number((await bird.waitForLog('listening')).port);

    const response = await fetch(`http://127.0.0.1:${birdPort}/`);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, unknown>;
    // birdImage has no Unsplash key: its default image, not bird's, proves the call went through.
    expect(Object.keys(answer).sort()).toEqual(['description', 'image', 'name']);
    expect(answer.image).toBe(BIRD_IMAGE_DEFAULT);
    // A catalog bird: the embedded catalog.json made it into the image.
    expect(answer.name).toMatch(/\w/);
    expect(answer.name).not.toBe('Bird in disguise');
    expect(answer.description).toMatch(/\w/);

    for (const service of [bird, birdImage]) {
      await service.signal('SIGTERM');
      expect(await service.exited).toEqual({ code: 0, signal: null });
      expect(service.stderr()).not.toMatch(/EROFS|EACCES|EPERM/);
    }
  });
});

describe('the runtime contract test fails', () => {
  // A service that writes beside its code, simulated by a module loaded before the entry.
  const writing = (file: string) => ({
    NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(file)}, '{}');`,
    )}`,
  });

  it('when the service writes outside /tmp (and not when it writes to /tmp)', async () => {
    const outside = startSandboxed(
      sandboxOf('bird-image', { env: writing('build/cache.json') }),
      commandOf('bird-image'),
    );
    await expect(outside.waitForLog('listening')).rejects.toThrow(/EROFS/);
    expect((await outside.exited).code).not.toBe(0);

    const inTmp = startSandboxed(
      sandboxOf('bird-image', { env: writing('/tmp/cache.json') }),
      commandOf('bird-image'),
    );
    await inTmp.waitForLog('listening');
    await inTmp.kill();
  });

  // koa itself is not used here: @koa/router declares it as a peer dependency, so npm keeps it
  // in the production tree wherever package.json lists it, and the image would still work.
  it.for(['pino', '@koa/router'])('when %s is moved to devDependencies', async (dependency) => {
    const variant = path.join(scratch, `variant-${dependency.replace('/', '-')}`);
    const context = await contextWithDevDependency(variant, dependency);
    const builder = new ImageBuilder(stages, {
      context,
      buildOutput: REPO_ROOT,
      scratch: path.join(variant, 'images'),
    });
    const root = await builder.build('bird');
    expect(existsSync(path.join(root, 'node_modules', dependency))).toBe(false);

    const bird = startSandboxed(sandboxOf('bird', { root }), commandOf('bird'));
    await expect(bird.waitForLog('listening')).rejects.toThrow(
      `Cannot find package '${dependency}'`,
    );
    expect((await bird.exited).code).not.toBe(0);
  });
});

/**
 * A build context whose package.json lists `dependency` under devDependencies, and whose lock
 * file follows, as `npm install -D <dependency>` would leave them.
 */
async function contextWithDevDependency(folder: string, dependency: string): Promise<string> {
  const context = path.join(folder, 'context');
  await mkdir(context, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const version = manifest.dependencies[dependency];
  expect(version, `${dependency} is a runtime dependency`).toBeDefined();
  delete manifest.dependencies[dependency];
  manifest.devDependencies[dependency] = version!;
  await writeFile(path.join(context, 'package.json'), JSON.stringify(manifest, null, 2));
  await copyFile(
    path.join(REPO_ROOT, 'package-lock.json'),
    path.join(context, 'package-lock.json'),
  );
  await npm(
    [
      'install',
      '--package-lock-only',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ],
    context,
  );
  return context;
}
