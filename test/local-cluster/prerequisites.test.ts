import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  checkPrerequisites,
  INSTALL_HINTS,
  KIND_PROVIDER_VARIABLE,
  onPath,
} from '../../scripts/local-cluster/prerequisites.js';
import { REPO_ROOT } from '../image/dockerfile.js';
import { toolFolder } from './tool-folder.js';

const execute = promisify(execFile);

/** `npm run local-cluster`'s program, as a real process whose PATH is `folder` alone. */
async function localCluster(folder: string, env: Record<string, string> = {}) {
  // node by its absolute path: the PATH under test holds only the stand-in tools.
  const result = await execute(
    process.execPath,
    ['--import', 'tsx', 'scripts/local-cluster/main.ts'],
    { cwd: REPO_ROOT, env: { PATH: folder, HOME: process.env.HOME ?? '', ...env } },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { ...result, lines: result.stderr.split('\n').filter((line) => line !== '') };
}

// Each case starts node with tsx, which takes seconds on a busy shared machine: the budget
// is for that start, not a claim about the command's speed.
const PROCESS_BUDGET_MS = 60_000;

describe(
  'npm run local-cluster, on a machine without its tools',
  { timeout: PROCESS_BUDGET_MS },
  () => {
    it('names each missing tool on one line, and where to get it', async () => {
      const { code, stdout, lines } = await localCluster(toolFolder([]));
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(lines).toEqual([
        `local-cluster: kind is not installed: get it from ${INSTALL_HINTS.kind}`,
        `local-cluster: kubectl is not installed: get it from ${INSTALL_HINTS.kubectl}`,
        expect.stringMatching(/^local-cluster: no container engine: install Docker .* or Podman/),
      ]);
    });

    it('says only that kind is missing when the rest is there', async () => {
      const { code, lines } = await localCluster(toolFolder(['kubectl', 'docker']));
      expect(code).toBe(1);
      expect(lines).toEqual([
        `local-cluster: kind is not installed: get it from ${INSTALL_HINTS.kind}`,
      ]);
    });

    it('says a container engine is missing, naming docker, podman and the kind switch', async () => {
      const { code, lines } = await localCluster(toolFolder(['kind', 'kubectl']));
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(INSTALL_HINTS.docker);
      expect(lines[0]).toContain(INSTALL_HINTS.podman);
      expect(lines[0]).toContain(`${KIND_PROVIDER_VARIABLE}=podman`);
    });

    it('holds to the engine KIND_EXPERIMENTAL_PROVIDER asks for', async () => {
      const { code, lines } = await localCluster(toolFolder(['kind', 'kubectl', 'docker']), {
        [KIND_PROVIDER_VARIABLE]: 'podman',
      });
      expect(code).toBe(1);
      expect(lines).toEqual([
        `local-cluster: ${KIND_PROVIDER_VARIABLE}=podman but podman is not installed: ` +
          `get it from ${INSTALL_HINTS.podman}, or unset ${KIND_PROVIDER_VARIABLE}`,
      ]);
    });
  },
);

describe('checkPrerequisites', () => {
  it('prefers docker, as kind does, and takes podman when docker is absent', () => {
    const both = toolFolder(['kind', 'kubectl', 'docker', 'podman']);
    expect(checkPrerequisites({ PATH: both })).toEqual({ ok: true, engine: 'docker' });
    const podman = toolFolder(['kind', 'kubectl', 'podman']);
    expect(checkPrerequisites({ PATH: podman })).toEqual({ ok: true, engine: 'podman' });
    expect(checkPrerequisites({ PATH: both, [KIND_PROVIDER_VARIABLE]: 'podman' })).toEqual({
      ok: true,
      engine: 'podman',
    });
  });

  it('refuses an engine it cannot drive', () => {
    const all = toolFolder(['kind', 'kubectl', 'docker']);
    const result = checkPrerequisites({ PATH: all, [KIND_PROVIDER_VARIABLE]: 'nerdctl' });
    expect(result).toEqual({
      ok: false,
      problems: [`${KIND_PROVIDER_VARIABLE}="nerdctl" is not supported here: use docker or podman`],
    });
  });

  it('finds only executable files, in any folder of PATH', () => {
    const tools = toolFolder(['kind']);
    const notExecutable = toolFolder(['kubectl']);
    chmodSync(path.join(notExecutable, 'kubectl'), 0o644);
    mkdirSync(path.join(tools, 'docker'));
    const searchPath = ['', notExecutable, tools].join(path.delimiter);
    expect(onPath('kind', searchPath)).toBe(true);
    expect(onPath('kubectl', searchPath)).toBe(false);
    expect(onPath('docker', searchPath)).toBe(false);
    expect(onPath('kind', undefined)).toBe(false);
  });
});
