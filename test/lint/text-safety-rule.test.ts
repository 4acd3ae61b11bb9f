/**
 * The "one control-character module" rule of `npm run lint` (eslint.config.js), run through
 * ESLint's own API with the project's configuration on small snippets, so that a change of the
 * rule's pattern or of the files it covers that lets a control-character pattern back into apps/
 * fails here. The type-checked rules are switched off for the snippets: they would need each
 * snippet to be a file of the TypeScript project, and this rule reads syntax only.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../image/dockerfile.js';

const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfig: tseslint.configs.disableTypeChecked });

/** The messages of the rule for `code`, linted as if it were the file `file` of the repository. */
async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-syntax')
    .map((message) => message.message);
}

// Source text, written with String.raw so that each snippet holds the escape a developer types.
const CONTROL_PATTERNS = [
  String.raw`export const c0 = /[\u0000-\u001f]/;`,
  String.raw`export const c1 = /[\x7f-\x9f]/;`,
  String.raw`export const nel = /\u0085/;`,
  String.raw`export const braced = '\u{85}';`,
  String.raw`export const nul = 'a\0b';`,
  String.raw`export const built = new RegExp('[\\u0080-\\u009f]');`,
  String.raw`export const template = new RegExp(${'`'}[\u202a-\u202e]${'`'});`,
  String.raw`export const isolates = /[\u2066-\u2069]/;`,
  String.raw`export const cc = /\p{Cc}/u;`,
  String.raw`export const notCf = /\P{Cf}/u;`,
  String.raw`export const category = /\p{gc=Cc}/u;`,
  String.raw`export const ignorable = /\p{Default_Ignorable_Code_Point}/gu;`,
  // A C1 control written as itself, not as an escape.
  `export const itself = 'Kea\u0085';`,
];

describe('the one-control-character-module rule', () => {
  it.each(CONTROL_PATTERNS)('refuses %s in a service', async (code) => {
    expect(await refusals('apps/bird/facts/bird-fact.ts', code)).toEqual([
      expect.stringContaining('apps/shared/text-safety.ts'),
    ]);
  });

  it('refuses them in apps/shared and birdImage too', async () => {
    for (const file of ['apps/shared/photo.ts', 'apps/bird-image/bird-name.ts']) {
      expect(await refusals(file, CONTROL_PATTERNS[0]!), file).toHaveLength(1);
    }
  });

  it.each([
    // Printable ASCII by range (config.ts's secret rule), line endings, white space, an id.
    String.raw`export const secret = /^[\x21-\x7e]+$/;`,
    String.raw`export const line = /\r?\n$/;`,
    String.raw`export const crlf = '\r\n';`,
    String.raw`export const spaces = /\s+/g;`,
    String.raw`export const id = /^[\w.:-]{1,128}$/;`,
    String.raw`export const letters = /\p{L}/u;`,
    String.raw`export const path = 'a\\b';`,
  ])('lets %s be', async (code) => {
    expect(await refusals('apps/bird/facts/bird-fact.ts', code)).toEqual([]);
  });

  it('lets the text-safety module and code outside apps/ name control characters', async () => {
    for (const file of ['apps/shared/text-safety.ts', 'test/shared/text-safety.test.ts']) {
      expect(await refusals(file, CONTROL_PATTERNS[0]!), file).toEqual([]);
    }
  });
});
