// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Where the services say which characters are controls: apps/shared/text-safety.ts, and nowhere
 * else in apps/. Two copies of that list drift (one forgets C1, another the bidi controls), so
 * any other regular expression, RegExp source or string that writes one of those characters is
 * refused.
 */
const TEXT_SAFETY_MODULE = 'apps/shared/text-safety.ts';

// Source text that writes a control character, as an esquery regular expression (flag `i`)
// matches it: an escape of C0 (`\x00`–`\x1f`, `\u0000`–`\u001f`, `\u{…}`, `\0`), DEL or C1
// (`\x7f`–`\x9f`), a bidi control (U+202A–U+202E, U+2066–U+2069), a property class of controls,
// format characters or default-ignorables (`\p{Cc}`, `\P{Cf}`, `\p{Default_Ignorable_Code_Point}`…),
// or one of those characters written as itself. `\t`, `\n` and `\r` stay allowed: a line ending is
// no text-safety rule.
const CONTROL_CHARACTER_SOURCE = [
  String.raw`\\(x[01][0-9a-f]|x7f|x[89][0-9a-f]|u00[01][0-9a-f]|u007f|u00[89][0-9a-f]|0`,
  String.raw`|u\{0*(1?[0-9a-f]|7f|[89][0-9a-f]|202[a-e]|206[6-9])\}|u20(2[a-e]|6[6-9])`,
  String.raw`|p\{((general_category|gc)=)?(c|cc|cf|control|format|other|default_ignorable_code_point|di|bidi_c|bidi_control)\})`,
  String.raw`|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]`,
].join('');
const CONTROL_CHARACTER_PATTERN_MESSAGE =
  `Control characters are named in ${TEXT_SAFETY_MODULE} alone: use its hasControlCharacter, ` +
  'cleanText or oneSpelling (add an option there if a caller needs another set).';

export default tseslint.config(
  // Generated code (manifests, CRD bindings) and build output are never linted.
  { ignores: ['build/', 'dist/', 'dist-*/', 'imports/', 'coverage/', 'node_modules/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['apps/**/*.ts'],
    ignores: [TEXT_SAFETY_MODULE],
    rules: {
      'no-restricted-syntax': [
        'error',
        // A regular expression's `raw` is its source too, `/…/` included.
        ...[
          `Literal[raw=/${CONTROL_CHARACTER_SOURCE}/i]`,
          `TemplateElement[value.raw=/${CONTROL_CHARACTER_SOURCE}/i]`,
        ].map((selector) => ({ selector, message: CONTROL_CHARACTER_PATTERN_MESSAGE })),
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
