import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { AviaryEnvironment } from '../../charts/environments.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENVIRONMENTS = path.join(ROOT, 'charts/environments.ts');

// docs/deploying.md, "Another environment": the overlay and the command, exactly as written.
const recipe = readFileSync(path.join(ROOT, 'docs/deploying.md'), 'utf8').split(
  '## Another environment',
)[1]!;
const overlay = /```ts\n([\s\S]*?)```/.exec(recipe)![1]!;
const command = /```sh\n(.*)\n/.exec(recipe)![1]!;

/** charts/environments.ts with its `environments` declaration replaced by the recipe's. */
function withRecipe(): string {
  const source = readFileSync(ENVIRONMENTS, 'utf8');
  const declaration = source.lastIndexOf('/**\n * Environments by name');
  expect(declaration).toBeGreaterThan(0);
  return source.slice(0, declaration) + overlay;
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
    // main.ts and image-refs.ts reach the environments only through selectedEnvironment(),
    // in this same file: the file alone is what an overlay can break.
    const program = ts.createProgram([ENVIRONMENTS], { ...options, noEmit: true }, host);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });

  it('gives a staging environment that synthesizes into the folder GitOps syncs', async () => {
    const module = ts.transpileModule(withRecipe(), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const url = `data:text/javascript;base64,${Buffer.from(module.outputText).toString('base64')}`;
    const { selectedEnvironment } = (await import(url)) as {
      selectedEnvironment: (env: NodeJS.ProcessEnv) => AviaryEnvironment;
    };
    const staging = selectedEnvironment({ AVIARY_ENV: 'staging' });
    expect(staging.namespace).toBe('aviary-staging');
    expect(command).toBe(`AVIARY_ENV=staging npm run synth -- --output ${staging.gitops.path}`);
    expect(readFileSync(path.join(ROOT, '.prettierignore'), 'utf8')).toContain('dist-*/');
    expect(staging.gitops.path).toMatch(/^dist-/);
  });
});
