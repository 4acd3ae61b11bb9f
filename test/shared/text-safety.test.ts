import { describe, expect, it } from 'vitest';
import {
  characterCount,
  cleanText,
  hasControlCharacter,
  oneSpelling,
  truncate,
} from '../../apps/shared/text-safety.js';

// Each character by its code point, so that a failure names the one that slipped through.
const at = (codePoint: number) => String.fromCodePoint(codePoint);
const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

const C0 = range(0x00, 0x1f);
const DEL_AND_C1 = range(0x7f, 0x9f);
const BIDI_CONTROLS = [...range(0x202a, 0x202e), ...range(0x2066, 0x2069)];
// Neighbours of the ranges above and white space, none of which is a control.
const NOT_CONTROLS = [0x20, 0x7e, 0xa0, 0x2028, 0x2029, 0x2065, 0x206a, 0x202f, 0xfeff];

describe('hasControlCharacter', () => {
  it('finds every C0 control, DEL and every C1 control, at either end or inside', () => {
    for (const codePoint of [...C0, ...DEL_AND_C1]) {
      for (const text of [`${at(codePoint)}Kea`, `Ke${at(codePoint)}a`, `Kea${at(codePoint)}`]) {
        expect(hasControlCharacter(text), hex(codePoint)).toBe(true);
      }
    }
  });

  it('finds none in printable text and white space other than C0', () => {
    for (const codePoint of NOT_CONTROLS) {
      expect(hasControlCharacter(`Ke${at(codePoint)}a`), hex(codePoint)).toBe(false);
    }
    expect(hasControlCharacter('Gallo cedrón 🐦')).toBe(false);
  });

  it('finds the bidi controls only when asked to', () => {
    for (const codePoint of BIDI_CONTROLS) {
      expect(hasControlCharacter(`Ke${at(codePoint)}a`), hex(codePoint)).toBe(false);
      expect(
        hasControlCharacter(`Ke${at(codePoint)}a`, { bidiControls: true }),
        hex(codePoint),
      ).toBe(true);
    }
    expect(hasControlCharacter('Kea\u0085', { bidiControls: true })).toBe(true);
  });

  it('finds white space of every kind only when asked to, with the controls still', () => {
    for (const space of [' ', '\u00a0', '\u2028', '\u3000', '\ufeff']) {
      expect(hasControlCharacter(`a${space}b`), hex(space.codePointAt(0)!)).toBe(false);
      expect(hasControlCharacter(`a${space}b`, { whiteSpace: true })).toBe(true);
    }
    expect(hasControlCharacter('https://a.example/\u0085', { whiteSpace: true })).toBe(true);
    expect(hasControlCharacter('https://a.example/\u202e', { whiteSpace: true })).toBe(false);
  });
});

describe('cleanText', () => {
  it('makes each run of controls and white space one space, and trims the ends', () => {
    expect(cleanText('\u0085 Kea\t\n\u0000 parrot\u00a0\u2028of\u009fthe Alps \u0007')).toBe(
      'Kea parrot of the Alps',
    );
  });

  it('leaves the bidi controls and default-ignorables to the caller', () => {
    expect(cleanText('Kea\u202eparrot\u200b')).toBe('Kea\u202eparrot\u200b');
  });
});

describe('oneSpelling', () => {
  it('composes to NFC, drops default-ignorable code points and trims', () => {
    expect(oneSpelling(' Gallo cedro\u0301n\u200b\u00ad\ufe0f ')).toBe('Gallo cedrón');
  });

  it('keeps control characters, which callers refuse before', () => {
    expect(oneSpelling('Kea\u0085parrot')).toBe('Kea\u0085parrot');
  });
});

describe('characterCount and truncate', () => {
  it('count code points, never UTF-16 units', () => {
    expect(characterCount('🐦'.repeat(3))).toBe(3);
    expect(truncate('🐦'.repeat(5), 5)).toBe('🐦'.repeat(5));
  });

  it('cut at the last space, with an ellipsis', () => {
    expect(truncate('an alpine parrot of New Zealand', 20)).toBe('an alpine parrot…');
  });

  it('cut text of characters outside the BMP too, each two UTF-16 units', () => {
    expect(truncate('🐦'.repeat(6), 5)).toBe(`${'🐦'.repeat(4)}…`);
    expect(truncate('🐦'.repeat(5), 5)).toBe('🐦'.repeat(5));
    expect(characterCount(truncate('🐦'.repeat(100_000), 1_000))).toBe(1_000);
  });
});
