import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseConfig } from '../src/lib/config.ts';
import { bandIndexOf, bandLowersFen, lowersFen, midHighFromIndex, midHighTierIndices, tierIndexOf, tierOfBand, yuanToFen } from '../src/lib/tiers.ts';
import { config, tierOf, yuan } from './metrics-book.ts';

const lowers = lowersFen(config);

describe('tier bounds', () => {
  it('converts the default bounds to fen', () => {
    expect(lowers).toEqual([0, 500_000, 5_000_000, 100_000_000, 800_000_000]);
    // Bands: ordinary, potential, mid 5万–20万, mid 20万–100万, high, private.
    expect(bandLowersFen(config)).toEqual([0, 500_000, 5_000_000, 20_000_000, 100_000_000, 800_000_000]);
    expect(tierOfBand(config)).toEqual([0, 1, 2, 2, 3, 4]);
  });

  it('puts exactly 5 000, 50 000, 1 000 000 and 8 000 000 元 in the upper tier', () => {
    expect(tierIndexOf(yuan(5_000), lowers)).toBe(1);
    expect(tierIndexOf(yuan(50_000), lowers)).toBe(2);
    expect(tierIndexOf(yuan(1_000_000), lowers)).toBe(3);
    expect(tierIndexOf(yuan(8_000_000), lowers)).toBe(4);
    // One fen below each bound stays in the lower tier.
    expect(tierIndexOf(yuan(5_000) - 1, lowers)).toBe(0);
    expect(tierIndexOf(yuan(50_000) - 1, lowers)).toBe(1);
    expect(tierIndexOf(yuan(1_000_000) - 1, lowers)).toBe(2);
    expect(tierIndexOf(yuan(8_000_000) - 1, lowers)).toBe(3);
  });

  it('puts zero assets in the first tier and huge ones in the last', () => {
    expect(tierIndexOf(0, lowers)).toBe(0);
    expect(tierIndexOf(Number.MAX_SAFE_INTEGER, lowers)).toBe(4);
  });

  it('splits mid into its sub-bands at 20万 without changing the tier', () => {
    const bands = bandLowersFen(config);
    expect(bandIndexOf(yuan(50_000), bands)).toBe(2);
    expect(bandIndexOf(yuan(200_000) - 1, bands)).toBe(2);
    expect(bandIndexOf(yuan(200_000), bands)).toBe(3);
    expect(bandIndexOf(yuan(1_000_000), bands)).toBe(4);
  });

  it('rejects negative and non-numeric amounts', () => {
    expect(() => tierIndexOf(-1, lowers)).toThrow(RangeError);
    expect(() => tierIndexOf(Number.NaN, lowers)).toThrow(RangeError);
  });

  it('agrees with a linear scan for any amount', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: yuan(20_000_000) }), (x) => tierIndexOf(x, lowers) === tierOf(x)));
  });

  it('rounds fractional 元 bounds to whole fen', () => {
    expect(yuanToFen(0.1)).toBe(10);
    expect(yuanToFen(1234.565)).toBe(123457);
  });
});

describe('mid-high', () => {
  it('starts at mid by default', () => {
    expect(midHighFromIndex(config)).toBe(2);
    expect(midHighTierIndices(config)).toEqual([2, 3, 4]);
  });

  it('follows midHighFrom', () => {
    expect(midHighTierIndices(parseConfig({ midHighFrom: 'private' }))).toEqual([4]);
  });
});
