import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  environments as realEnvironments,
  type AviaryEnvironment,
} from '../../charts/environments.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENVIRONMENTS = path.join(ROOT, 'charts/environments.ts');

// docs/deploying.md, "Another environment": the overlay and the command, exactly as written.
const recipe = readFileSync(path.join(ROOT, 'docs/deploying.md'), 'utf8').split(
  '## Another environment',
)[1]!;
const overlay = /```ts\n([\s\S]*?)```/.exec(recipe)![1]!;
const commands = /```sh\n([\s\S]*?)```/.exec(recipe)![1]!;

/** charts/environments.ts with the recipe's entry added to `environments`, after the last one. */
function withRecipe(): string {
  const source = readFileSync(ENVIRONMENTS, 'utf8');
  const declaration = source.indexOf('export const environments');
  const end = source.indexOf('\n};\n', declaration);
  expect(declaration).toBeGreaterThan(0);
  return `${source.slice(0, end + 1)}${overlay}${source.slice(end + 1)}`;
}

describe('the "Another environment" recipe of docs/deploying.md', () => {
  it('typechecks with the project settings when pasted as written', () => {
    const tsconfig = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) =>
      ts.sys.readFile(file),
    );
    const { options } = ts.parseJsonConfigFileContent(tsconfig.config as object, ts.sys, ROOT);
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (file) => (path.resolve(file) === ENVIRONMENTS ? withRecipe() : readFile(file));
    const program = ts.createProgram([ENVIRONMENTS], { ...options, noEmit: true }, host);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('gives an environment of its own folder, namespace and GitOps names, as the command says', async () => {
    // The module as pasted, run with its one import (the release tags) pointed at the real file.
    const tags = pathToFileURL(path.join(ROOT, 'charts/releases/release-tags.ts')).href;
    const module = ts.transpileModule(withRecipe().replace('./releases/release-tags.js', tags), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'aviary-recipe-')), 'environments.mjs');
    writeFileSync(file, module.outputText);
    const { environments, selectedEnvironment } = (await import(pathToFileURL(file).href)) as {
      environments: Record<string, AviaryEnvironment>;
      selectedEnvironment: (env: NodeJS.ProcessEnv) => AviaryEnvironment;
    };
    const qa = selectedEnvironment({ AVIARY_ENV: 'qa' });
    const others = Object.entries(environments).filter(([name]) => name !== 'qa');
    expect(others.map(([name]) => name)).toEqual(Object.keys(realEnvironments));
    for (const [, other] of others) {
      expect(qa.namespace).not.toBe(other.namespace);
      expect(qa.gitops.path).not.toBe(other.gitops.path);
      expect(qa.gitops.namePrefix).not.toBe(other.gitops.namePrefix);
    }
    expect(commands).toContain(
      `AVIARY_ENV=qa npm run synth     # only qa, into ${qa.gitops.path}/`,
    );
    expect(qa.gitops.path).toMatch(/^environments\//);
    expect(readFileSync(path.join(ROOT, '.prettierignore'), 'utf8')).toContain('environments/');
  });
});
