import { describe, expect, it } from 'vitest';
import {
  cores,
  gibibytes,
  mebibytes,
  millicores,
  parseQuantity,
  quantity,
} from '../../charts/quantities.js';

describe('typed sizes', () => {
  it.each([
    [millicores(100), '100m'],
    [millicores(1500), '1500m'],
    [cores(2), '2'],
    [millicores(0), '0'],
    [mebibytes(64), '64Mi'],
    [mebibytes(1024), '1Gi'],
    [gibibytes(12), '12Gi'],
    [mebibytes(0.5), '512Ki'],
  ])('writes %s as %s', (size, written) => {
    expect(size.toString()).toBe(written);
    expect(quantity(size).value).toBe(written);
  });

  it('adds and multiplies exactly, in the smallest unit', () => {
    expect(millicores(100).times(3).plus(cores(1)).toString()).toBe('1300m');
    expect(mebibytes(160).times(12).plus(mebibytes(64)).toString()).toBe('1984Mi');
    expect(mebibytes(1023).fitsIn(gibibytes(1))).toBe(true);
    expect(mebibytes(1025).fitsIn(gibibytes(1))).toBe(false);
  });

  it.each([
    ['a fraction of a millicore', () => millicores(0.5)],
    ['a negative size', () => mebibytes(-1)],
    ['a size past exact arithmetic', () => gibibytes(2 ** 30)],
  ])('rejects %s', (_, size) => {
    expect(size).toThrowError(
      /Invalid size: .* Use a whole number of (millicores|bytes), 0 or more/,
    );
  });
});

describe('reading a rendered quantity', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['64Mi', 64 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['512Ki', 512 * 1024],
    ['3k', 3000],
    [7, 7],
  ])('reads %s as %d', (written, value) => {
    expect(parseQuantity(written)).toBeCloseTo(value, 9);
  });

  it.each([['64MB'], ['-1'], [''], ['1e3'], [undefined]])('reads %s as NaN', (written) => {
    expect(parseQuantity(written)).toBeNaN();
  });

  it('reads back what the typed sizes write', () => {
    expect(parseQuantity(millicores(250).toString())).toBeCloseTo(0.25, 9);
    expect(parseQuantity(mebibytes(1984).toString())).toBe(1984 * 2 ** 20);
  });
});
