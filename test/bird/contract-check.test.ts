import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractProblems } from '../../apps/bird/contract-check/contract.js';
import { birdService } from '../../apps/bird/service.js';
import type { ServedApp } from '../../apps/shared/service.js';
import type { CronJob } from '../support/k8s-types.js';
import { loadManifests, ofKind } from '../support/manifests.js';
import { hang, json, raw } from '../../scripts/stand-ins/stub-upstream.js';
import { serveService } from '../support/serve-service.js';
import { stubUpstream } from '../support/stand-ins.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const GOOD = {
  name: 'Atlantic Puffin',
  description: 'A seabird.',
  image: 'https://img.example/p.jpg',
};
const answer = (body: unknown, status = 200, contentType = 'application/json; charset=utf-8') => ({
  status,
  contentType,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe("bird's contract, as the synthetic check reads it", () => {
  it('accepts a bird, and the disguised bird (a designed degradation)', () => {
    expect(contractProblems(answer(GOOD))).toEqual([]);
    expect(
      contractProblems(
        answer({ ...GOOD, name: 'Bird in disguise', image: 'https://x.example/m.png' }),
      ),
    ).toEqual([]);
  });

  const broken: [string, ReturnType<typeof answer>, string][] = [
    ['a 5xx', answer({ error: 'internal error' }, 500), 'status 500, expected 200'],
    [
      'an HTML page',
      answer(JSON.stringify(GOOD), 200, 'text/html'),
      'content-type "text/html", expected application/json',
    ],
    ['a body that is not JSON', answer('<html>'), 'body is not JSON'],
    ['a list', answer([GOOD]), 'body is not a JSON object'],
    ['a missing name', answer({ ...GOOD, name: undefined }), 'name is not a non-empty string'],
    [
      'a blank description',
      answer({ ...GOOD, description: '  ' }),
      'description is not a non-empty string',
    ],
    [
      'a quoted image URL',
      answer({ ...GOOD, image: `"${GOOD.image}"` }),
      'image is not an http(s) URL',
    ],
    [
      'a newline-terminated image URL',
      answer({ ...GOOD, image: `${GOOD.image}\n` }),
      'image is not an http(s) URL',
    ],
  ];
  it.each(broken)('reports %s', (_, given, problem) => {
    expect(contractProblems(given)).toContain(problem);
  });
});

describe('the CronJob bird-contract-check, run as dist/ holds it', () => {
  const cron = ofKind<CronJob>(loadManifests(), 'CronJob').find(
    (c) => c.metadata.name === 'bird-contract-check',
  )!;
  const container = cron.spec.jobTemplate.spec.template.spec.containers[0]!;
  let bird: ServedApp;

  beforeAll(async () => {
    const birdImage = await stubUpstream(json('https://images.example/bird.jpg'));
    bird = await serveService(birdService, {
      env: { BIRD_IMAGE_URL: birdImage.url, LOG_LEVEL: 'silent' },
    });
  });

  /**
   * Runs the container's command with its environment, pointed at `url` instead of the
   * cluster's `http://bird`. The image holds the build; here the same entry point runs from
   * source through tsx (`build/apps/….js` ↔ `apps/….ts`).
   */
  async function runCheck(url: string, extraEnv: Record<string, string> = {}) {
    const [node, script, ...rest] = (container as unknown as { command: string[] }).command;
    expect(node).toBe('node');
    const source = script!.replace(/^build\/(apps\/.*)\.js$/, '$1.ts');
    const env = Object.fromEntries(
      ((container as unknown as { env: { name: string; value: string }[] }).env ?? []).map((e) => [
        e.name,
        e.value,
      ]),
    );
    expect(env.BIRD_URL).toBe('http://bird');
    const child = spawn(process.execPath, ['--import', 'tsx', source, ...rest], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, BIRD_URL: url, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const [code] = (await once(child, 'close')) as [number];
    return { code, report: JSON.parse(stdout) as { ok: boolean; problems: string[] } };
  }

  it('passes against a real bird', async () => {
    const { code, report } = await runCheck(bird.url);
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(code).toBe(0);
  });

  it('fails (exit 1) on a broken answer, and says why', async () => {
    const broken = await stubUpstream(json({ ...GOOD, image: 'missingno.png' }));
    const { code, report } = await runCheck(broken.url);
    expect(report.problems).toEqual(['image is not an http(s) URL']);
    expect(code).toBe(1);
    broken.behave(raw('{"error":"internal error"}', { status: 500 }));
    expect((await runCheck(broken.url)).report.problems).toContain('status 500, expected 200');
  });

  it('fails when no answer comes in time', async () => {
    const silent = await stubUpstream(hang());
    const { code, report } = await runCheck(silent.url, { CHECK_TIMEOUT_MS: '300' });
    expect(report.problems).toEqual([expect.stringMatching(/^no answer: /)]);
    expect(code).toBe(1);
  });
});
