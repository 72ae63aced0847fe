import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { radixSortWithTags, sortAndSplit } from '../src/lib/radixSort.ts';

// The reference is the engine's own comparison sort, an independent method.
const amount = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.maxSafeInteger().map(Math.abs));

describe('radix sort of integer fen amounts', () => {
  it('equals a comparison sort and keeps tags with their values', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, fc.integer({ min: 0, max: 5 })), { maxLength: 500 }), (pairs) => {
        const values = Float64Array.from(pairs.map((p) => p[0]));
        const tags = Uint16Array.from(pairs.map((p) => p[1]));
        const scratch = radixSortWithTags(values, tags);
        expect([...values]).toEqual(pairs.map((p) => p[0]).sort((a, b) => a - b));
        // The scratch is the caller's to reuse: it must not be the result's memory.
        expect(scratch.length).toBe(values.length);
        expect(scratch.buffer).not.toBe(values.buffer);
        // stability: pairs with equal values keep their input order of tags
        const expected = pairs.map((p, i) => ({ ...p, i })).sort((a, b) => a[0] - b[0] || a.i - b.i);
        expect([...tags]).toEqual(expected.map((p) => p[1]));
      }),
    );
  });

  it('splits into per-tag sorted runs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, fc.integer({ min: 0, max: 3 })), { maxLength: 300 }), (pairs) => {
        const { all, byTag } = sortAndSplit(Float64Array.from(pairs.map((p) => p[0])), Uint16Array.from(pairs.map((p) => p[1])), 4);
        expect([...all]).toEqual(pairs.map((p) => p[0]).sort((a, b) => a - b));
        for (let t = 0; t < 4; t++)
          expect([...byTag[t]!]).toEqual(pairs.filter((p) => p[1] === t).map((p) => p[0]).sort((a, b) => a - b));
      }),
    );
  });

  it('rejects amounts it cannot sort exactly', () => {
    expect(() => radixSortWithTags(Float64Array.of(1, -1), Uint16Array.of(0, 0))).toThrow(/integers/);
    expect(() => radixSortWithTags(Float64Array.of(0.5), Uint16Array.of(0))).toThrow(/integers/);
    expect(() => radixSortWithTags(Float64Array.of(2 ** 53), Uint16Array.of(0))).toThrow(/integers/);
  });
});
